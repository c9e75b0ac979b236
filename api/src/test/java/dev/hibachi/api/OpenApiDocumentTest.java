package dev.hibachi.api;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OpenAPI document an agent serves is generated from the controllers: it describes every route and
 * method of Dkron's published description (../shared/reference/dkron-openapi.yaml, except Dkron Pro's ACL
 * routes), and marks Hibachi's additions.
 */
class OpenApiDocumentTest {
    private static final Path DKRON = Path.of("../../shared/reference/dkron-openapi.yaml");

    @RegisterExtension
    static final AgentPerClass agent = AgentPerClass.server();

    @Test
    @SuppressWarnings("unchecked")
    void theServedDocumentHasEveryDkronRouteAndMarksTheAdditions() throws IOException {
        Api.Response r = agent.api().get(ApiDocument.PATH);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        Map<String, Object> ours = new Yaml().load(r.body());
        assertThat(((Map<String, Object>) ours.get("info")).get("title")).isEqualTo("Hibachi");
        Map<String, Map<String, Object>> ourPaths = (Map<String, Map<String, Object>>) ours.get("paths");

        Map<String, Object> dkron = new Yaml().load(Files.readString(DKRON));
        Set<String> missing = new TreeSet<>();
        ((Map<String, Map<String, Object>>) dkron.get("paths")).forEach((path, methods) -> {
            if (path.startsWith("/acl/")) {
                return; // Dkron Pro's access control: not part of the open-source API
            }
            Map<String, Object> served = find(ourPaths, "/v1" + (path.equals("/") ? "" : path));
            for (String method : methods.keySet()) {
                if (served == null || !served.containsKey(method)) {
                    missing.add(method.toUpperCase() + " /v1" + path);
                }
            }
        });
        assertThat(missing).as("Dkron routes absent from the document").isEmpty();

        Map<String, Object> kill = (Map<String, Object>) find(ourPaths, "/v1/jobs/{}/executions/{}/kill").get("post");
        assertThat(kill.get(ApiDocument.ADDITION)).isEqualTo("true");
        Map<String, Object> get = (Map<String, Object>) find(ourPaths, "/v1/jobs/{}").get("get");
        assertThat(get).doesNotContainKey(ApiDocument.ADDITION);
    }

    /** The path item for {@code path}, whatever its parameters are named. */
    private static Map<String, Object> find(Map<String, Map<String, Object>> paths, String path) {
        String wanted = normalize(path);
        return paths.entrySet().stream().filter(e -> normalize(e.getKey()).equals(wanted)).map(Map.Entry::getValue)
                .findFirst().orElse(null);
    }

    private static String normalize(String path) {
        String p = path.replaceAll("\\{[^}]*}", "{}");
        return p.endsWith("/") && p.length() > 1 ? p.substring(0, p.length() - 1) : p;
    }
}

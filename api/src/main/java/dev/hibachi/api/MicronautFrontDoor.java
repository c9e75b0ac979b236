package dev.hibachi.api;

import dev.hibachi.agent.Agent;
import dev.hibachi.agent.FrontDoor;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Serves the HTTP API and the dashboard for an agent: a Micronaut context holding the agent as a bean,
 * listening on {@code --http-addr}.
 */
public final class MicronautFrontDoor implements FrontDoor {
    /** Requests larger than this are refused (400) before they are read whole. */
    public static final int MAX_REQUEST_BYTES = 1 << 20;

    @Override
    public AutoCloseable open(Agent agent) {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("micronaut.application.name", "hibachi");
        properties.put("micronaut.server.host", agent.config().httpAddr().host());
        properties.put("micronaut.server.port", agent.config().httpAddr().port());
        properties.put("micronaut.server.max-request-size", MAX_REQUEST_BYTES);
        properties.put("micronaut.server.thread-selection", "IO");
        properties.put("micronaut.router.static-resources.openapi.paths", "classpath:META-INF/swagger");
        properties.put("micronaut.router.static-resources.openapi.mapping", "/openapi/**");
        properties.put("micronaut.banner.enabled", false);
        ApplicationContext context = ApplicationContext.builder()
                .properties(properties)
                .singletons(agent)
                .deduceEnvironment(false)
                .start();
        EmbeddedServer server = context.getBean(EmbeddedServer.class);
        server.start();
        return () -> {
            server.stop();
            context.close();
        };
    }
}

package dev.hibachi.api;

import dev.hibachi.agent.Agent;
import dev.hibachi.store.apply.Reply;
import dev.hibachi.store.raft.StoreUnavailableException;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Hibachi's addition: the files an execution left in its {@code $HIBACHI_ARTIFACTS} folder, stored with it in the
 * replicated store, so any agent serves them for as long as the execution is kept.
 */
@Controller("/v1/jobs")
public final class ArtifactsController {
    private final Agent agent;

    public ArtifactsController(Agent agent) {
        this.agent = agent;
    }

    /** The execution's artifacts, {@code [{"path": ..., "size": ...}]} in path order; 404 for an unknown execution. */
    @Addition
    @Get("/{name}/executions/{id}/artifacts")
    public HttpResponse<byte[]> list(@PathVariable String name, @PathVariable String id, HttpRequest<?> request)
            throws StoreUnavailableException, BadRequest {
        return Responses.of(agent.jobs().artifacts(name, id, ReadParameters.consistency(request)),
                HttpStatus.OK);
    }

    /** One artifact's bytes, as a download; {@code path} may hold {@code /}. 404 (JSON) when there is no such file. */
    @Addition
    @Get(value = "/{name}/executions/{id}/artifacts/{+path}", produces = MediaType.APPLICATION_OCTET_STREAM)
    public HttpResponse<byte[]> download(@PathVariable String name, @PathVariable String id,
                                         @PathVariable String path, HttpRequest<?> request)
            throws StoreUnavailableException, BadRequest {
        Reply reply = agent.jobs().artifact(name, id, path, ReadParameters.consistency(request));
        if (!reply.ok()) {
            return Responses.of(reply, HttpStatus.OK);
        }
        byte[] data;
        try {
            data = reply.value().path("data").binaryValue();
        } catch (IOException e) {
            throw new IllegalStateException("the store sent an artifact that is not base64", e);
        }
        return HttpResponse.<byte[]>ok(data == null ? new byte[0] : data)
                .contentType(MediaType.APPLICATION_OCTET_STREAM_TYPE)
                .header("Content-Disposition", contentDisposition(path));
    }

    /** RFC 6266: a plain ASCII {@code filename} for old clients, and the exact name in {@code filename*}. */
    static String contentDisposition(String path) {
        String file = path.substring(path.lastIndexOf('/') + 1);
        StringBuilder ascii = new StringBuilder();
        file.codePoints().forEach(cp -> ascii.append(cp >= 0x20 && cp < 0x7F && cp != '"' && cp != '\\'
                ? (char) cp : '_'));
        String encoded = URLEncoder.encode(file, StandardCharsets.UTF_8).replace("+", "%20");
        return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded;
    }
}

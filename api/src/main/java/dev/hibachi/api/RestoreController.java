package dev.hibachi.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hibachi.agent.Agent;
import dev.hibachi.store.apply.Reply;
import dev.hibachi.store.json.Json;
import dev.hibachi.store.model.Job;
import dev.hibachi.store.raft.StoreUnavailableException;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Part;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.multipart.CompletedFileUpload;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Dkron's {@code POST /v1/restore}: a multipart form whose {@code file} holds a JSON array of jobs (what
 * {@code GET /v1/jobs} answers). Every job is checked before any is written; parents are written before their
 * children. The answer is Dkron's: a JSON string that holds a JSON array of {@code "success create NAME"} /
 * {@code "fail create NAME: why"}. The whole request is bounded by the API's body limit (1 MiB, a few thousand
 * jobs); {@code hibachi jobs apply} writes bigger sets one job at a time.
 */
@Controller("/v1/restore")
public final class RestoreController {
    private final Agent agent;

    public RestoreController(Agent agent) {
        this.agent = agent;
    }

    @Post(consumes = MediaType.MULTIPART_FORM_DATA)
    public HttpResponse<byte[]> restore(@Part("file") @Nullable CompletedFileUpload file)
            throws StoreUnavailableException, BadRequest {
        if (file == null) {
            // Dkron answers 404 for a form without its file field.
            throw new BadRequest(404, "the form has no \"file\" field; send the jobs as a file field named file,"
                    + " e.g. curl -F file=@jobs.json", "file");
        }
        String text;
        try {
            text = new String(file.getBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BadRequest("cannot read the file field: " + e.getMessage(), "file");
        }
        JsonNode tree = text.isBlank() ? null : JobBodies.json(text);
        if (tree == null || !tree.isArray()) {
            throw new BadRequest("the file must hold a JSON array of jobs, as GET /v1/jobs answers", "file");
        }
        List<Job> jobs = new ArrayList<>(tree.size());
        for (int i = 0; i < tree.size(); i++) {
            if (!tree.get(i).isObject()) {
                throw new BadRequest("item [" + i + "] of the file is not a job (a JSON object)", "file");
            }
            jobs.add(JobBodies.job(tree.get(i), "[" + i + "]."));
        }
        Reply reply = agent.jobs().restore(jobs);
        if (!reply.ok()) {
            return Responses.of(reply, HttpStatus.OK);
        }
        return Responses.json(HttpStatus.OK, new String(Json.write(reply.value()), StandardCharsets.UTF_8));
    }
}

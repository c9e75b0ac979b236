package dev.hibachi.api;

import dev.hibachi.agent.Agent;
import dev.hibachi.agent.cli.VersionCommand;
import dev.hibachi.agent.cluster.Member;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;

import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Dkron's cluster routes: {@code /v1/members}, {@code /v1/leader}, {@code /v1/isleader}, {@code /v1/leave}. */
@Controller("/v1")
public final class ClusterController {
    private final Agent agent;

    public ClusterController(Agent agent) {
        this.agent = agent;
    }

    /**
     * Dkron's {@code GET /v1/}: this agent's name and version, its view of the cluster where Dkron shows Serf's
     * statistics (only the counts that mean something here: members, failed, left), and its tags. Hibachi adds
     * {@code raft}: this agent's role in the store's group and the leader it knows.
     */
    @Get
    public HttpResponse<byte[]> status() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("agent", Map.of("name", agent.config().nodeName(), "version", VersionCommand.version()));
        Collection<Member> members = agent.membership().members();
        Map<String, String> cluster = new LinkedHashMap<>();
        cluster.put("members", String.valueOf(members.size()));
        cluster.put("failed", String.valueOf(members.stream().filter(m -> m.status() == Member.Status.FAILED).count()));
        cluster.put("left", String.valueOf(members.stream().filter(m -> m.status() == Member.Status.LEFT).count()));
        cluster.put("encrypted", String.valueOf(agent.config().encrypt().isPresent()));
        body.put("serf", cluster);
        Optional<String> leader = agent.leaderName();
        body.put("tags", agent.membership().member(agent.config().nodeName())
                .map(m -> MemberJson.of(m, leader).tags()).orElse(Map.of()));
        body.put("raft", Map.of("role", !agent.config().server() ? "none" : agent.isLeader() ? "leader" : "follower",
                "leader", leader.orElse("")));
        return Responses.json(HttpStatus.OK, body);
    }

    /** Every member this agent knows, those that failed or left included until they are reaped. */
    @Get("/members")
    public HttpResponse<byte[]> members() {
        List<MemberJson> members = members(agent.membership().members());
        return Responses.json(HttpStatus.OK, members).header("X-Total-Count", String.valueOf(members.size()));
    }

    /** The store's Raft leader as a member; 404 while none is known (Dkron answers 404 too, with {@code null}). */
    @Get("/leader")
    public HttpResponse<byte[]> leader() {
        Optional<String> leader = agent.leaderName();
        if (leader.isEmpty()) {
            return Responses.error(404, "no leader is known: the store's servers are electing one, or too few"
                    + " of them are reachable", null);
        }
        return agent.membership().member(leader.get())
                .<HttpResponse<byte[]>>map(m -> Responses.json(HttpStatus.OK, MemberJson.of(m, leader)))
                .orElseGet(() -> Responses.error(404, "the leader, " + leader.get()
                        + ", is not among the members this agent knows", null));
    }

    /**
     * 200 on the store's leader, 404 elsewhere, with Dkron's JSON strings as bodies (load balancers check the
     * status). A client agent, which holds no store, is never the leader.
     */
    @Get("/isleader")
    public HttpResponse<byte[]> isLeader() {
        return agent.isLeader() ? Responses.json(HttpStatus.OK, "I am a leader")
                : Responses.json(HttpStatus.NOT_FOUND, "I am a follower");
    }

    /**
     * Makes this agent leave the cluster. Answers the members, this one as leaving, and leaves once the answer
     * is written ({@link LeaveAfterResponse}): leaving closes this very HTTP server.
     */
    @Post("/leave")
    @Consumes(MediaType.ALL)
    public HttpResponse<byte[]> leave(HttpRequest<?> request) {
        request.setAttribute(LeaveAfterResponse.ATTRIBUTE, true);
        String self = agent.config().nodeName();
        List<MemberJson> members = members(agent.membership().members().stream()
                .map(m -> m.name().equals(self) ? m.withStatus(Member.Status.LEAVING) : m).toList());
        return Responses.json(HttpStatus.OK, members).header("X-Total-Count", String.valueOf(members.size()));
    }

    private List<MemberJson> members(Collection<Member> members) {
        Optional<String> leader = agent.leaderName();
        return members.stream().sorted(Comparator.comparing(Member::name)).map(m -> MemberJson.of(m, leader))
                .toList();
    }
}

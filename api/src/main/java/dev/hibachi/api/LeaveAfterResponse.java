package dev.hibachi.api;

import dev.hibachi.agent.Agent;
import dev.hibachi.store.raft.StoreUnavailableException;
import io.micronaut.context.event.ApplicationEventListener;
import io.micronaut.http.context.event.HttpRequestTerminatedEvent;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Carries out {@code POST /v1/leave} once its answer is written. Leaving closes the HTTP server that serves
 * the request, so it cannot happen inside it; Micronaut tells when a request is over, and a thread of its own
 * then leaves. The agent stops even if it cannot leave the store's Raft group first: the operator asked it to.
 */
@Singleton
final class LeaveAfterResponse implements ApplicationEventListener<HttpRequestTerminatedEvent> {
    /** The request attribute by which {@link ClusterController#leave} asks for it. */
    static final String ATTRIBUTE = "hibachi.leave";
    private static final Logger LOG = LoggerFactory.getLogger(LeaveAfterResponse.class);

    private final Agent agent;
    private final AtomicBoolean leaving = new AtomicBoolean();

    LeaveAfterResponse(Agent agent) {
        this.agent = agent;
    }

    @Override
    public void onApplicationEvent(HttpRequestTerminatedEvent event) {
        if (event.getSource().getAttribute(ATTRIBUTE).isPresent() && leaving.compareAndSet(false, true)) {
            Thread t = new Thread(this::leave, "leave");
            t.setDaemon(false);
            t.start();
        }
    }

    private void leave() {
        try {
            agent.leave();
        } catch (StoreUnavailableException | RuntimeException e) {
            String name = agent.config().nodeName();
            LOG.warn("Could not leave the store's Raft group ({}); stopping anyway. If {} was a server, remove it"
                    + " from the group with: hibachi raft remove-peer --peer-id {}", e.getMessage(), name, name);
            agent.close();
        }
    }
}

package dev.hibachi.store.raft;

import dev.hibachi.store.apply.Reply;
import dev.hibachi.store.command.Command;
import dev.hibachi.store.command.CommandCodec;
import dev.hibachi.store.json.Json;
import dev.hibachi.store.query.Query;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.TimeDuration;

import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The store's read/write API, over a Ratis client: writes are commands proposed to the leader (the client
 * follows redirects from followers), reads are linearizable queries. Retries are bounded, so a caller
 * without a quorum gets an error instead of waiting forever.
 */
public final class StoreClient implements AutoCloseable {
    private final RaftClient client;

    public StoreClient(Collection<StoreServerConfig.Peer> servers) {
        RaftProperties p = new RaftProperties();
        RaftConfigKeys.Rpc.setType(p, SupportedRpcType.GRPC);
        RaftClientConfigKeys.Rpc.setRequestTimeout(p, TimeDuration.valueOf(3, TimeUnit.SECONDS));
        this.client = RaftClient.newBuilder()
                .setProperties(p)
                .setRaftGroup(StoreGroup.of(servers))
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(40,
                        TimeDuration.valueOf(250, TimeUnit.MILLISECONDS)))
                .build();
    }

    /** Proposes a command; completes with its reply once applied, or exceptionally if the store is unreachable. */
    public CompletableFuture<Reply> submit(Command command) {
        Message m = Message.valueOf(ByteString.copyFrom(CommandCodec.encode(command)));
        return client.async().send(m).thenApply(StoreClient::reply);
    }

    /** Proposes a command and waits for its reply. */
    public Reply submit(Command command, Duration timeout) throws StoreUnavailableException {
        return await(submit(command), timeout);
    }

    public CompletableFuture<Reply> query(Query query) {
        Message m = Message.valueOf(ByteString.copyFrom(Json.write(query)));
        return client.async().sendReadOnly(m).thenApply(StoreClient::reply);
    }

    public Reply query(Query query, Duration timeout) throws StoreUnavailableException {
        return await(query(query), timeout);
    }

    private static Reply await(CompletableFuture<Reply> f, Duration timeout) throws StoreUnavailableException {
        try {
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailableException("interrupted", e);
        } catch (TimeoutException e) {
            f.cancel(false);
            throw new StoreUnavailableException("the job store did not answer within " + timeout.toMillis() + " ms"
                    + " (no leader, or no quorum)", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof CompletionException ce && ce.getCause() != null
                    ? ce.getCause() : e.getCause();
            throw new StoreUnavailableException("the job store is unavailable: " + cause.getMessage(), cause);
        }
    }

    private static Reply reply(RaftClientReply r) {
        if (!r.isSuccess()) {
            Exception ex = r.getException();
            throw new CompletionException(new StoreUnavailableException(
                    ex == null ? "request failed" : ex.getMessage(), ex));
        }
        return Json.read(r.getMessage().getContent().toByteArray(), Reply.class);
    }

    @Override
    public void close() throws IOException {
        client.close();
    }
}

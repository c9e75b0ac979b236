package dev.hibachi.api;

import dev.hibachi.agent.exec.ExecutionResult;
import dev.hibachi.agent.exec.OutputBuffer;
import dev.hibachi.agent.run.LiveRun;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The output of an attempt running on this member, as a stream of {@link SseEvents}: what is kept from
 * {@code from} on, then each write as it comes, then the final status once the attempt is reported.
 *
 * <p>Pushed, not polled: the output buffer signals each write and the stream reads everything new at once, so a
 * fast writer makes few large events and a slow reader never holds the writer up (it only reads when it asks for
 * more; what the ring dropped meanwhile is announced as {@code truncated}). Memory per reader is one chunk.
 */
final class LiveOutput {
    private final LiveRun run;
    private final FluxSink<byte[]> sink;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
    /** Work requests; only the caller that takes it from 0 drains, the others leave the work to it. */
    private final AtomicInteger pending = new AtomicInteger();
    /** The next byte position to read; owned by the draining thread. */
    private long position;
    /** Bytes of a character cut by a chunk's end, kept for the next chunk. */
    private byte[] carry = new byte[0];
    private boolean skipContinuation;
    private boolean done;

    private LiveOutput(LiveRun run, FluxSink<byte[]> sink, long from) {
        this.run = run;
        this.sink = sink;
        this.position = from;
    }

    static Flux<byte[]> stream(LiveRun run, long from) {
        return Flux.create(sink -> {
            LiveOutput stream = new LiveOutput(run, sink, from);
            AutoCloseable listening = run.output().onChange(stream::drain);
            run.result().whenComplete((outcome, error) -> stream.drain());
            sink.onRequest(n -> stream.drain());
            sink.onDispose(() -> {
                try {
                    listening.close();
                } catch (Exception ignored) {
                    // removing a listener cannot fail
                }
            });
            stream.drain();
        }, FluxSink.OverflowStrategy.BUFFER);
    }

    private void drain() {
        if (pending.getAndIncrement() != 0) {
            return;
        }
        do {
            step();
        } while (pending.decrementAndGet() != 0);
    }

    private void step() {
        while (!done && !sink.isCancelled() && sink.requestedFromDownstream() > 0) {
            // Read "ended" before the chunk: an end seen first means the chunk holds everything.
            boolean ended = run.output().ended() && run.result().isDone();
            OutputBuffer.Chunk chunk = run.output().since(position);
            if (chunk.skipped() > 0) {
                carry = new byte[0];
                skipContinuation = true;
                sink.next(SseEvents.truncated(chunk.skipped()));
            }
            if (!chunk.isEmpty()) {
                position = chunk.to();
                String text = decode(chunk.bytes(), ended);
                if (!text.isEmpty()) {
                    sink.next(SseEvents.output(text, position - carry.length));
                }
                continue;
            }
            if (ended) {
                done = true;
                sink.next(end(run));
                sink.complete();
            }
            return;
        }
    }

    /** Decodes {@code bytes} after what was carried, keeping a cut last character for the next time. */
    private String decode(byte[] bytes, boolean last) {
        // The ring cut a character at the reader's new start: its continuation bytes are no text.
        int skip = skipContinuation ? OutputBuffer.cutCharacterBytes(bytes) : 0;
        skipContinuation = false;
        ByteBuffer in = ByteBuffer.allocate(carry.length + bytes.length - skip);
        in.put(carry).put(bytes, skip, bytes.length - skip).flip();
        CharBuffer out = CharBuffer.allocate((int) (in.remaining() * (double) decoder.maxCharsPerByte()) + 1);
        decoder.decode(in, out, last);
        if (last) {
            decoder.flush(out);
            decoder.reset();
        }
        carry = new byte[in.remaining()];
        in.get(carry);
        return out.flip().toString();
    }

    private static byte[] end(LiveRun run) {
        LiveRun.Outcome outcome = run.result().join();
        ExecutionResult result = outcome.result();
        return SseEvents.end(run.executionId(), outcome.status(), result.success(), result.exitCode(),
                result.success() ? null : outcome.killedBy());
    }
}

package dev.hibachi.agent.exec;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OutputBufferTest {

    private static final String MARKER_START = "[hibachi: output truncated, ";

    @Test
    void smallOutputIsKeptAsIs() {
        OutputBuffer b = new OutputBuffer(100);
        b.write("hello ".getBytes(UTF_8), 0, 6);
        b.write("xxworldxx".getBytes(UTF_8), 2, 5);
        assertThat(b.text()).isEqualTo("hello world");
        assertThat(b.truncated()).isFalse();
        assertThat(b.totalBytes()).isEqualTo(11);
        assertThat(new String(b.tail(5), UTF_8)).isEqualTo("world");
        assertThat(new String(b.tail(1000), UTF_8)).isEqualTo("hello world");
        assertThat(b.tail(0)).isEmpty();
    }

    @Test
    void emptyBuffer() {
        OutputBuffer b = new OutputBuffer();
        assertThat(b.capacity()).isEqualTo(256_000);
        assertThat(b.text()).isEmpty();
        assertThat(b.truncated()).isFalse();
        assertThat(b.totalBytes()).isZero();
        assertThat(b.tail(10)).isEmpty();
    }

    @Test
    void fiftyMegabytesInChunksKeepExactlyTheLastCapacityBytes() {
        int capacity = 256_000;
        long total = 50L * 1024 * 1024;
        OutputBuffer b = new OutputBuffer(capacity);
        Random random = new Random(42);
        byte[] chunk = new byte[200_000];
        long written = 0;
        while (written < total) {
            int len = (int) Math.min(total - written, 1 + random.nextInt(random.nextBoolean() ? 100 : chunk.length));
            int off = random.nextInt(chunk.length - len + 1);
            for (int i = 0; i < len; i++) {
                chunk[off + i] = pattern(written + i);
            }
            b.write(chunk, off, len);
            written += len;
        }
        assertThat(b.totalBytes()).isEqualTo(total);
        assertThat(b.truncated()).isTrue();
        byte[] expected = new byte[capacity];
        for (int i = 0; i < capacity; i++) {
            expected[i] = pattern(total - capacity + i);
        }
        assertThat(b.tail(capacity)).isEqualTo(expected);
        assertThat(b.tail(capacity + 10)).isEqualTo(expected);
        String text = b.text();
        String marker = MARKER_START + (total - capacity) + " earlier bytes dropped]\n";
        assertThat(text).startsWith(marker);
        assertThat(text.substring(marker.length())).isEqualTo(new String(expected, UTF_8));
    }

    /** ASCII, with newlines, so the cut never needs a character boundary. */
    private static byte pattern(long i) {
        return i % 64 == 63 ? (byte) '\n' : (byte) ('a' + (i * 7 + i / 1000) % 26);
    }

    @Test
    void oneWriteLargerThanCapacity() {
        OutputBuffer b = new OutputBuffer(10);
        b.write("0123456789abcdefghij".getBytes(UTF_8), 0, 20);
        assertThat(b.text()).isEqualTo(MARKER_START + "10 earlier bytes dropped]\nabcdefghij");
        b.write("XY".getBytes(UTF_8), 0, 2);
        assertThat(new String(b.tail(10), UTF_8)).isEqualTo("cdefghijXY");
        assertThat(b.totalBytes()).isEqualTo(22);
    }

    @Test
    void wrapsAroundManyTimes() {
        OutputBuffer b = new OutputBuffer(7);
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            String s = Integer.toString(i);
            all.append(s);
            b.write(s.getBytes(UTF_8));
            String tail = all.length() > 7 ? all.substring(all.length() - 7) : all.toString();
            assertThat(new String(b.tail(7), UTF_8)).isEqualTo(tail);
        }
    }

    @Test
    void cutInsideTwoByteCharacterStartsAtTheNextCharacter() {
        OutputBuffer b = new OutputBuffer(11);
        b.write("éééééé".getBytes(UTF_8)); // 12 bytes: the kept 11 start with a continuation byte
        assertThat(b.text()).isEqualTo(MARKER_START + "2 earlier bytes dropped]\nééééé");
    }

    @Test
    void cutInsideFourByteCharacterStartsAtTheNextCharacter() {
        OutputBuffer b = new OutputBuffer(10);
        b.write("😀😀😀".getBytes(UTF_8)); // 12 bytes; 2 dropped, 2 more continuation bytes skipped
        assertThat(b.text()).isEqualTo(MARKER_START + "4 earlier bytes dropped]\n😀😀");
    }

    @Test
    void utf8CutIsValidWhereverItFalls() {
        String unit = "a€😀é\n"; // 1 + 3 + 4 + 2 + 1 bytes
        byte[] bytes = unit.getBytes(UTF_8);
        for (int capacity = 1; capacity <= 40; capacity++) {
            OutputBuffer b = new OutputBuffer(capacity);
            for (int i = 0; i < 20; i++) {
                b.write(bytes);
            }
            String text = b.text();
            assertThat(text).as("capacity %d", capacity).doesNotContain("\uFFFD").startsWith(MARKER_START);
            String body = text.substring(text.indexOf("]\n") + 2);
            String all = unit.repeat(20);
            assertThat(all).endsWith(body);
            long dropped = Long.parseLong(text.substring(MARKER_START.length(), text.indexOf(" earlier")));
            assertThat(dropped + body.getBytes(UTF_8).length).isEqualTo(20L * bytes.length);
        }
    }

    @Test
    void validStreamReadInArbitraryChunksStaysValid() {
        // A valid UTF-8 stream (all '€', 3 bytes each) arriving in chunks that split characters.
        byte[] euro = "€".getBytes(UTF_8);
        Random random = new Random(7);
        for (int capacity : new int[] {1000, 1001, 1002}) {
            OutputBuffer b = new OutputBuffer(capacity);
            long total = 0;
            byte[] chunk = new byte[5000];
            while (total < 5_000_000) {
                int len = 1 + random.nextInt(chunk.length);
                for (int i = 0; i < len; i++) {
                    chunk[i] = euro[(int) ((total + i) % 3)];
                }
                b.write(chunk, 0, len);
                total += len;
            }
            if (total % 3 != 0) { // finish the last character
                int len = (int) (3 - total % 3);
                for (int i = 0; i < len; i++) {
                    chunk[i] = euro[(int) ((total + i) % 3)];
                }
                b.write(chunk, 0, len);
                total += len;
            }
            String text = b.text();
            assertThat(b.totalBytes()).isEqualTo(total);
            String body = text.substring(text.indexOf("]\n") + 2);
            assertThat(body).matches("€+");
            assertThat(body.length()).isEqualTo(capacity / 3);
        }
    }

    @Test
    void appendLineAddsMissingNewline() {
        OutputBuffer b = new OutputBuffer(100);
        b.appendLine("[first]");
        b.write("partial".getBytes(UTF_8));
        b.appendLine("[note]");
        assertThat(b.text()).isEqualTo("[first]\npartial\n[note]\n");
    }

    @Test
    void concurrentWritersAreAllCounted() throws Exception {
        OutputBuffer b = new OutputBuffer(1000);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            threads.add(new Thread(() -> {
                byte[] x = "xxxxxxxxxx".getBytes(UTF_8);
                for (int i = 0; i < 10_000; i++) {
                    b.write(x);
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        assertThat(b.totalBytes()).isEqualTo(800_000);
        assertThat(b.tail(2000)).hasSize(1000).containsOnly((byte) 'x');
    }
}

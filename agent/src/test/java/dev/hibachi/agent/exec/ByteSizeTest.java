package dev.hibachi.agent.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ByteSizeTest {

    @Test
    void unitsAreThoseOfGoHumanize() {
        assertThat(ByteSize.parse("1024")).isEqualTo(1024);
        assertThat(ByteSize.parse("1024 B")).isEqualTo(1024);
        assertThat(ByteSize.parse("512MB")).isEqualTo(512_000_000L);
        assertThat(ByteSize.parse("512mb")).isEqualTo(512_000_000L);
        assertThat(ByteSize.parse("512MiB")).isEqualTo(512L << 20);
        assertThat(ByteSize.parse("1GB")).isEqualTo(1_000_000_000L);
        assertThat(ByteSize.parse("1.5GB")).isEqualTo(1_500_000_000L);
        assertThat(ByteSize.parse("1.5 GiB")).isEqualTo(3L << 29);
        assertThat(ByteSize.parse("100 kB")).isEqualTo(100_000L);
        assertThat(ByteSize.parse("2k")).isEqualTo(2000L);
        assertThat(ByteSize.parse("2Ki")).isEqualTo(2048L);
        assertThat(ByteSize.parse("1,000,000")).isEqualTo(1_000_000L);
        assertThat(ByteSize.parse("1.7 B")).isEqualTo(1L);
        assertThat(ByteSize.parse("7EiB")).isEqualTo(7L << 60);
    }

    @Test
    void badSizesSayWhy() {
        assertThatThrownBy(() -> ByteSize.parse("12 parsecs")).hasMessageContaining("unknown unit \"parsecs\"");
        assertThatThrownBy(() -> ByteSize.parse("GB")).hasMessageContaining("expected a size");
        assertThatThrownBy(() -> ByteSize.parse("-1")).hasMessageContaining("expected a size");
        assertThatThrownBy(() -> ByteSize.parse("1.2.3")).hasMessageContaining("expected a size");
        assertThatThrownBy(() -> ByteSize.parse("9EiB")).hasMessageContaining("too large");
    }

    @Test
    void describe() {
        assertThat(ByteSize.describe(999)).isEqualTo("999 B (999 bytes)");
        assertThat(ByteSize.describe(327_565_312)).isEqualTo("327.6 MB (327,565,312 bytes)");
    }
}

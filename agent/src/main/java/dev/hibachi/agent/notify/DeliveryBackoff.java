package dev.hibachi.agent.notify;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The wait before a channel's next try: {@code first} doubling up to {@code max}, with up to a fifth of jitter,
 * so that many notices failed by one outage do not all come back in the same instant.
 */
public record DeliveryBackoff(Duration first, Duration max) {

    public static final DeliveryBackoff DEFAULT = new DeliveryBackoff(Duration.ofSeconds(5), Duration.ofMinutes(5));

    /** The wait after the {@code failures}th failure (1 for the first). */
    public Duration after(int failures) {
        long base = first.toMillis();
        for (int i = 1; i < failures && base < max.toMillis(); i++) {
            base *= 2;
        }
        base = Math.min(base, max.toMillis());
        long jitter = base / 5 == 0 ? 0 : ThreadLocalRandom.current().nextLong(base / 5 + 1);
        return Duration.ofMillis(base - base / 10 + jitter);
    }
}

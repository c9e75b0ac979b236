package dev.hibachi.store.schedule;

import java.util.Arrays;
import java.util.Map;

/**
 * The six cron fields ({@code S M H DoM Mon DoW}) as Spring's CronExpression wants them: descriptors are
 * expanded, the 5-field form gets seconds = 0, and Dkron's {@code ~} token is replaced by the job's hash.
 * Field syntax itself is left to Spring.
 */
public final class CronFields {

    // Spelled out rather than left to Spring so that every descriptor is classified by firesAtFixedTime()
    // from its fields; Spring also lacks @minutely.
    private static final Map<String, String> DESCRIPTORS = Map.of(
            "@yearly", "0 0 0 1 1 *",
            "@annually", "0 0 0 1 1 *",
            "@monthly", "0 0 0 1 * *",
            "@weekly", "0 0 0 * * 0",
            "@daily", "0 0 0 * * *",
            "@midnight", "0 0 0 * * *",
            "@hourly", "0 0 * * * *",
            "@minutely", "0 * * * * *");

    // Per field, the range the "~" hash is reduced into: value = h mod modulus + offset.
    private static final int[] HASH_MODULUS = {60, 60, 24, 28, 12, 7};
    private static final int[] HASH_OFFSET = {0, 0, 0, 1, 1, 0};

    private final String[] fields;

    private CronFields(String[] fields) {
        this.fields = fields;
    }

    /** The six fields a lower-case descriptor such as {@code @daily} stands for, or null if it is not one. */
    public static String descriptorFields(String word) {
        return DESCRIPTORS.get(word);
    }

    /** The expansion of a lower-case descriptor such as {@code @daily}, or null if it is not one. */
    static CronFields ofDescriptor(String word) {
        String expression = descriptorFields(word);
        return expression == null ? null : new CronFields(expression.split(" "));
    }

    static CronFields parse(String[] tokens, String jobName) {
        String[] six;
        if (tokens.length == 6) {
            six = tokens.clone();
        } else if (tokens.length == 5) {
            six = new String[6];
            six[0] = "0";
            System.arraycopy(tokens, 0, six, 1, 5);
        } else {
            throw new IllegalArgumentException("a cron expression has 6 fields (S M H DoM Mon DoW) or 5"
                    + " (M H DoM Mon DoW), found " + tokens.length);
        }
        long hash = hashOf(jobName);
        for (int i = 0; i < six.length; i++) {
            if (six[i].indexOf('~') >= 0) {
                long value = hash % HASH_MODULUS[i] + HASH_OFFSET[i];
                six[i] = six[i].replace("~", Long.toString(value));
            }
        }
        return new CronFields(six);
    }

    /** Dkron's "~" hash: the sum of the job name's code points, so it is stable per job across nodes. */
    private static long hashOf(String jobName) {
        return jobName.codePoints().asLongStream().sum();
    }

    /**
     * True when the second, minute and hour fields contain no {@code *}, i.e. the expression names
     * particular wall-clock times rather than an interval. Such expressions fire only once when a
     * fall-back repeats their wall-clock time (the ISC/Vixie cron rule).
     */
    boolean firesAtFixedTime() {
        for (int i = 0; i < 3; i++) {
            if (fields[i].indexOf('*') >= 0) {
                return false;
            }
        }
        return true;
    }

    String expression() {
        return String.join(" ", fields);
    }

    @Override
    public String toString() {
        return Arrays.toString(fields);
    }
}

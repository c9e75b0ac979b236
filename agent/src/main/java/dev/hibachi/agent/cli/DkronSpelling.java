package dev.hibachi.agent.cli;

/**
 * Dkron's docs spell long flags with one dash ({@code -server}, {@code -tag role=web}); Go's flag package
 * accepts both. Picocli would read {@code -server} as a cluster of short options, so single-dash long
 * flags are rewritten to their double-dash form before parsing. Single letters ({@code -h}) are kept.
 */
final class DkronSpelling {
    private DkronSpelling() {
    }

    static String[] normalize(String[] args) {
        String[] out = args.clone();
        for (int i = 0; i < out.length; i++) {
            String a = out[i];
            if (a.equals("--")) {
                break;
            }
            if (a.length() > 2 && a.charAt(0) == '-' && a.charAt(1) != '-' && Character.isLetter(a.charAt(1))
                    && (a.indexOf('=') < 0 ? a.length() : a.indexOf('=')) > 2) {
                out[i] = "-" + a;
            }
        }
        return out;
    }
}

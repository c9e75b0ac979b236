package dev.hibachi.store.index;

import java.util.Comparator;

/**
 * Job names in the order of the store's keys (their UTF-8 bytes, unsigned), so a listing by name and a scan of
 * the jobs column family agree. Java's {@link String#compareTo} compares UTF-16 units and would put a name
 * with a character above U+FFFF before one with U+E000..U+FFFF; this order does not.
 */
public final class NameOrder implements Comparator<String> {
    public static final NameOrder INSTANCE = new NameOrder();

    private NameOrder() {
    }

    @Override
    public int compare(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x != y) {
                boolean sx = Character.isSurrogate(x);
                boolean sy = Character.isSurrogate(y);
                // a surrogate encodes a code point above U+FFFF: after every other char in UTF-8's order
                return sx == sy ? x - y : sx ? 1 : -1;
            }
        }
        return a.length() - b.length();
    }
}

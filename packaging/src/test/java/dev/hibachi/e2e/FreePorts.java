package dev.hibachi.e2e;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Loopback ports for agents. They come from 20000-32767, below Linux's ephemeral range (32768-60999), so
 * that no outgoing connection holds one when an agent binds it, also on a restart. Each port is handed out
 * once per JVM, and a gossip port also needs its port + 100 free (JGroups' socket failure detector).
 */
final class FreePorts {
    private static final int LOW = 20_000;
    private static final int HIGH = 32_667; // leaves room for + 100 below the ephemeral range
    static final int FAILURE_DETECTOR_OFFSET = 100;

    private static final Set<Integer> TAKEN = new HashSet<>();

    private FreePorts() {
    }

    static synchronized int port() {
        while (true) {
            int p = ThreadLocalRandom.current().nextInt(LOW, HIGH);
            if (take(p)) {
                return p;
            }
        }
    }

    /** A port whose port + 100 is free as well, both reserved. */
    static synchronized int gossipPort() {
        while (true) {
            int p = ThreadLocalRandom.current().nextInt(LOW, HIGH);
            if (!TAKEN.contains(p + FAILURE_DETECTOR_OFFSET) && take(p)) {
                if (take(p + FAILURE_DETECTOR_OFFSET)) {
                    return p;
                }
                TAKEN.remove(p);
            }
        }
    }

    private static boolean take(int port) {
        if (TAKEN.contains(port) || !bindable(port)) {
            return false;
        }
        TAKEN.add(port);
        return true;
    }

    private static boolean bindable(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}

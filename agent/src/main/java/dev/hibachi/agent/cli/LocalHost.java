package dev.hibachi.agent.cli;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.Locale;

/** What this machine contributes to the defaults; an interface so tests can pin it. */
interface LocalHost {
    /** The default {@code --node-name}. */
    String name();

    /** The host part of the default {@code --bind-addr}, and of the advertised address when binding to 0.0.0.0. */
    String privateAddress();

    /** Asks the operating system, each time (a slow DNS lookup is paid only when the default is needed). */
    static LocalHost system() {
        return new LocalHost() {
            @Override
            public String name() {
                try {
                    return InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT);
                } catch (UnknownHostException e) {
                    return "localhost";
                }
            }

            @Override
            public String privateAddress() {
                return firstPrivateAddress();
            }
        };
    }

    /** The first site-local IPv4 address of this host, as Dkron's {@code GetPrivateIP}; else loopback. */
    private static String firstPrivateAddress() {
        try {
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                    if (a.isSiteLocalAddress() && a instanceof Inet4Address) {
                        return a.getHostAddress();
                    }
                }
            }
        } catch (SocketException ignored) {
            // fall through to loopback
        }
        return "127.0.0.1";
    }
}

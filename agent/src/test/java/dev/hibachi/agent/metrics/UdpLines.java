package dev.hibachi.agent.metrics;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A real StatsD server's front: a UDP socket on 127.0.0.1 that keeps every line it receives. */
final class UdpLines implements AutoCloseable {
    private final DatagramSocket socket;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Thread reader;

    UdpLines() throws SocketException {
        socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        reader = new Thread(this::read, "udp-lines-" + socket.getLocalPort());
        reader.setDaemon(true);
        reader.start();
    }

    int port() {
        return socket.getLocalPort();
    }

    List<String> lines() {
        return List.copyOf(lines);
    }

    private void read() {
        byte[] buffer = new byte[65_536];
        while (!socket.isClosed()) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
            } catch (IOException e) {
                return; // closed
            }
            // A buffered StatsD packet holds several lines.
            for (String line : new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8)
                    .split("\n")) {
                if (!line.isBlank()) {
                    lines.add(line);
                }
            }
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}

package dev.hibachi.store.command;

import dev.hibachi.store.json.Json;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * The wire form of a command in the Raft log: a version byte, a flags byte, then the command's JSON,
 * deflated when it is large (reports carry job output). The version lets a mixed-version cluster refuse
 * what it does not understand instead of misapplying it.
 */
public final class CommandCodec {
    /** The newest command format this build writes and understands. */
    public static final int VERSION = 1;
    private static final int DEFLATED = 1;
    private static final int DEFLATE_ABOVE = 1024;

    private CommandCodec() {
    }

    public static byte[] encode(Command command) {
        byte[] json = Json.write(command);
        boolean deflate = json.length > DEFLATE_ABOVE;
        byte[] body = deflate ? deflate(json) : json;
        byte[] out = new byte[body.length + 2];
        out[0] = VERSION;
        out[1] = (byte) (deflate ? DEFLATED : 0);
        System.arraycopy(body, 0, out, 2, body.length);
        return out;
    }

    /** Decodes a command; the exception's message says what is wrong, for the rejection record. */
    public static Command decode(byte[] bytes) throws MalformedCommandException {
        if (bytes.length < 2) {
            throw new MalformedCommandException("command too short");
        }
        if (bytes[0] > VERSION || bytes[0] < 1) {
            throw new MalformedCommandException("command format version " + bytes[0] + " is not supported (max "
                    + VERSION + ")");
        }
        byte[] body = new byte[bytes.length - 2];
        System.arraycopy(bytes, 2, body, 0, body.length);
        try {
            byte[] json = (bytes[1] & DEFLATED) != 0 ? inflate(body) : body;
            Command command = Json.mapper().readValue(json, Command.class);
            if (command == null) {
                throw new MalformedCommandException("empty command");
            }
            return command;
        } catch (IOException | DataFormatException | RuntimeException e) {
            throw new MalformedCommandException("undecodable command: " + e.getMessage());
        }
    }

    static byte[] deflate(byte[] in) {
        Deflater deflater = new Deflater(Deflater.BEST_SPEED);
        try {
            deflater.setInput(in);
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(in.length / 3 + 16);
            byte[] buf = new byte[8192];
            while (!deflater.finished()) {
                out.write(buf, 0, deflater.deflate(buf));
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    static byte[] inflate(byte[] in) throws DataFormatException {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(in);
            ByteArrayOutputStream out = new ByteArrayOutputStream(in.length * 3);
            byte[] buf = new byte[8192];
            while (!inflater.finished()) {
                int n = inflater.inflate(buf);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new DataFormatException("truncated deflate stream");
                }
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        } finally {
            inflater.end();
        }
    }

    public static final class MalformedCommandException extends Exception {
        public MalformedCommandException(String message) {
            super(message);
        }
    }
}

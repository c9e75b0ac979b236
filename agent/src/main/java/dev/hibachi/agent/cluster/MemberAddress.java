package dev.hibachi.agent.cluster;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.hibachi.store.json.Json;
import org.jgroups.Address;
import org.jgroups.View;
import org.jgroups.util.ExtendedUUID;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * A member's static identity carried in its JGroups address (an {@link ExtendedUUID}), so every view already
 * says who each member is, with no state exchange. The UUID itself is the member's incarnation.
 *
 * <p>An ExtendedUUID holds at most 255 entries of at most 255 bytes each, and travels with every view and with
 * the messages a member sends; so the tags (as JSON) are split over a few entries and capped at
 * {@link #MAX_TAGS_BYTES}. Serf caps a member's metadata at 512 bytes, so Dkron users' tags fit. Its executors'
 * names go the same way, capped at {@link #MAX_EXECUTORS_BYTES}.
 */
public final class MemberAddress {
    /** The most bytes the tags may take, as compact JSON. */
    public static final int MAX_TAGS_BYTES = 1024;
    /** The most bytes the executors' names may take, as compact JSON. */
    public static final int MAX_EXECUTORS_BYTES = 1024;

    private static final String NAME = "name";
    private static final String ROLE = "role";
    private static final String HTTP = "http";
    private static final String RAFT = "raft";
    private static final String GOSSIP = "gossip";
    private static final String TAGS = "tags.";
    private static final String EXECUTORS = "executors.";
    private static final int ENTRY_BYTES = 255;
    private static final TypeReference<TreeMap<String, String>> TAG_MAP = new TypeReference<>() { };
    private static final TypeReference<TreeSet<String>> NAME_SET = new TypeReference<>() { };

    private MemberAddress() {
    }

    /** The address that announces {@code self}; its UUID is {@code self.incarnation()}. */
    public static ExtendedUUID of(Member self) {
        UUID incarnation = UUID.fromString(self.incarnation());
        ExtendedUUID address = new ExtendedUUID(incarnation.getMostSignificantBits(),
                incarnation.getLeastSignificantBits());
        put(address, NAME, self.name());
        put(address, ROLE, self.server() ? "server" : "client");
        put(address, HTTP, self.httpAddress());
        put(address, RAFT, self.raftAddress());
        put(address, GOSSIP, self.gossipHost() + ":" + self.gossipPort());
        putJson(address, TAGS, "tags", new TreeMap<>(self.tags()), MAX_TAGS_BYTES);
        putJson(address, EXECUTORS, "executor names", self.executors(), MAX_EXECUTORS_BYTES);
        return address;
    }

    /** The member an address announces, as alive; empty if it is not a Hibachi agent's address. */
    public static Optional<Member> read(Address address) {
        if (!(address instanceof ExtendedUUID u) || !u.keyExists(NAME)) {
            return Optional.empty();
        }
        try {
            String gossip = get(u, GOSSIP);
            int colon = gossip.lastIndexOf(':');
            return Optional.of(new Member(get(u, NAME), u.toStringLong(), tags(u), "server".equals(get(u, ROLE)),
                    get(u, HTTP), get(u, RAFT), gossip.substring(0, colon),
                    Integer.parseInt(gossip.substring(colon + 1)), Member.Status.ALIVE, executors(u)));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * The members of a view by name, each with its address. Two addresses with one name (an agent restarted
     * before its old incarnation was found dead) resolve to the later one in the view: the newer joiner.
     */
    public static Map<String, Located> byName(View view) {
        Map<String, Located> members = new LinkedHashMap<>();
        for (Address a : view.getMembers()) {
            read(a).ifPresent(m -> members.put(m.name(), new Located(m, a)));
        }
        return members;
    }

    /** A member and the address it is reached at. */
    public record Located(Member member, Address address) {
    }

    private static void put(ExtendedUUID address, String key, String value) {
        byte[] bytes = (value == null ? "" : value).getBytes(StandardCharsets.UTF_8);
        if (bytes.length > ENTRY_BYTES) {
            throw new IllegalArgumentException(key + " is longer than " + ENTRY_BYTES + " bytes: " + value);
        }
        address.put(key, bytes);
    }

    private static String get(ExtendedUUID address, String key) {
        byte[] bytes = address.get(key);
        return bytes == null ? "" : new String(bytes, StandardCharsets.UTF_8);
    }

    /** {@code value} as JSON, split over entries {@code prefix0}, {@code prefix1}, ... */
    private static void putJson(ExtendedUUID address, String prefix, String what, Object value, int maxBytes) {
        byte[] json = Json.write(value);
        if (json.length > maxBytes) {
            throw new IllegalArgumentException(what + " take " + json.length + " bytes as JSON; at most "
                    + maxBytes + " fit in a member's address");
        }
        for (int i = 0, from = 0; from < json.length; i++, from += ENTRY_BYTES) {
            address.put(prefix + i, Arrays.copyOfRange(json, from, Math.min(json.length, from + ENTRY_BYTES)));
        }
    }

    private static byte[] joined(ExtendedUUID address, String prefix) {
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        for (int i = 0; address.keyExists(prefix + i); i++) {
            json.writeBytes(address.get(prefix + i));
        }
        return json.toByteArray();
    }

    private static Map<String, String> tags(ExtendedUUID address) {
        byte[] json = joined(address, TAGS);
        if (json.length == 0) {
            return Map.of();
        }
        try {
            return Json.mapper().readValue(json, TAG_MAP);
        } catch (IOException e) {
            throw new IllegalArgumentException("unreadable tags", e);
        }
    }

    /** None when the member announces none (an agent of an older version): then only its own executors count. */
    private static Set<String> executors(ExtendedUUID address) {
        byte[] json = joined(address, EXECUTORS);
        if (json.length == 0) {
            return Set.of();
        }
        try {
            return Json.mapper().readValue(json, NAME_SET);
        } catch (IOException e) {
            throw new IllegalArgumentException("unreadable executor names", e);
        }
    }
}

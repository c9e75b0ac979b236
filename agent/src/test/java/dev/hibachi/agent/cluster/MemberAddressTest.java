package dev.hibachi.agent.cluster;

import org.jgroups.util.ExtendedUUID;
import org.jgroups.util.UUID;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A member's identity survives its trip through a JGroups address, and what cannot fit is refused up front. */
class MemberAddressTest {

    private static Member member(Map<String, String> tags) {
        return new Member("web-1", java.util.UUID.randomUUID().toString(), tags, true, "10.0.0.5:8080",
                "10.0.0.5:6868", "10.0.0.5", 8946, Member.Status.ALIVE);
    }

    @Test
    void theIdentityRoundTripsAndTheUuidIsTheIncarnation() {
        Member m = member(Map.of("dc", "eu", "role", "web"));
        ExtendedUUID address = MemberAddress.of(m);
        assertThat(address.toStringLong()).isEqualTo(m.incarnation());
        assertThat(MemberAddress.read(address)).contains(m);
    }

    @Test
    void theExecutorsAMemberHasRoundTripAndTooManyAreRefused() {
        java.util.Set<String> names = new java.util.TreeSet<>();
        for (int i = 0; i < 40; i++) {
            names.add("plugin-executor-" + i); // more than one 255-byte entry
        }
        names.add("shell");
        Member m = member(Map.of()).withExecutors(names);
        assertThat(MemberAddress.read(MemberAddress.of(m)).orElseThrow().executors()).isEqualTo(names);
        assertThat(MemberAddress.read(MemberAddress.of(member(Map.of()))).orElseThrow().executors()).isEmpty();
        assertThatThrownBy(() -> MemberAddress.of(m.withExecutors(java.util.Set.of(
                "x".repeat(MemberAddress.MAX_EXECUTORS_BYTES))))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("executor names");
    }

    @Test
    void tagsLongerThanOneEntryAreSplitEvenInsideACharacter() {
        Map<String, String> tags = new LinkedHashMap<>();
        for (int i = 0; i < 12; i++) {
            tags.put("key-" + i, "välue-ü-✓-" + i + "-".repeat(30)); // multi-byte characters across 255-byte cuts
        }
        Member m = member(tags);
        assertThat(MemberAddress.read(MemberAddress.of(m)).orElseThrow().tags()).isEqualTo(tags);
    }

    @Test
    void tagsBeyondTheBudgetAndOverlongFieldsAreRefused() {
        assertThatThrownBy(() -> MemberAddress.of(member(Map.of("big", "x".repeat(MemberAddress.MAX_TAGS_BYTES)))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tags");
        Member longName = new Member("n".repeat(256), java.util.UUID.randomUUID().toString(), Map.of(), false, "",
                "", "127.0.0.1", 8946, Member.Status.ALIVE);
        assertThatThrownBy(() -> MemberAddress.of(longName)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("name");
    }

    @Test
    void anAddressThatIsNoAgentsIsNotAMember() {
        assertThat(MemberAddress.read(UUID.randomUUID())).isEmpty();
        assertThat(MemberAddress.read(ExtendedUUID.randomUUID("other"))).isEmpty();
        assertThat(MemberAddress.read(null)).isEmpty();
    }
}

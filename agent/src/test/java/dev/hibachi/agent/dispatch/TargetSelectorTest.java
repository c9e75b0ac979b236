package dev.hibachi.agent.dispatch;

import dev.hibachi.agent.cluster.Member;
import dev.hibachi.store.model.Target;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Dkron's target rules (notes/dkron.md §5.7): AND over tags, {@code value:N} cardinality, no tags = all alive. */
class TargetSelectorTest {

    private static Member alive(String name, Map<String, String> tags) {
        return new Member(name, "inc-" + name, tags, false, "127.0.0.1:8080", "127.0.0.1:6868", "127.0.0.1", 8946,
                Member.Status.ALIVE);
    }

    private static Member withStatus(String name, Map<String, String> tags, Member.Status status) {
        return new Member(name, "inc-" + name, tags, false, "127.0.0.1:8080", "127.0.0.1:6868", "127.0.0.1", 8946,
                status);
    }

    /** a, b, c are web; a, b are in eu; c is in us; d is a db in eu; e has no tags; f is a dead web; g left. */
    private static final List<Member> CLUSTER = List.of(
            alive("a", Map.of("role", "web", "dc", "eu")),
            alive("b", Map.of("role", "web", "dc", "eu")),
            alive("c", Map.of("role", "web", "dc", "us")),
            alive("d", Map.of("role", "db", "dc", "eu")),
            alive("e", Map.of()),
            withStatus("f", Map.of("role", "web", "dc", "eu"), Member.Status.FAILED),
            withStatus("g", Map.of("role", "web", "dc", "eu"), Member.Status.LEFT),
            withStatus("h", Map.of("role", "web", "dc", "eu"), Member.Status.LEAVING));

    private static Map<String, String> tags(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    /** Job tags, and the exact set of members chosen (for deterministic cases: no cardinality below the matches). */
    static Stream<Arguments> exactCases() {
        return Stream.of(
                Arguments.of("no tags: every alive member", null, Set.of("a", "b", "c", "d", "e")),
                Arguments.of("empty tags: every alive member", tags(), Set.of("a", "b", "c", "d", "e")),
                Arguments.of("exact match", tags("role", "web"), Set.of("a", "b", "c")),
                Arguments.of("exact match, one member", tags("role", "db"), Set.of("d")),
                Arguments.of("AND of two tags", tags("role", "web", "dc", "eu"), Set.of("a", "b")),
                Arguments.of("AND with no common member", tags("role", "db", "dc", "us"), Set.of()),
                Arguments.of("value does not match", tags("role", "cache"), Set.of()),
                Arguments.of("unknown tag key", tags("gpu", "true"), Set.of()),
                Arguments.of("values are case sensitive", tags("role", "WEB"), Set.of()),
                Arguments.of("count above the matches takes all", tags("role", "web:5"), Set.of("a", "b", "c")),
                Arguments.of("count equal to the matches takes all", tags("role", "web:3"), Set.of("a", "b", "c")),
                Arguments.of("count on one tag of an AND", tags("role", "web:2", "dc", "eu"), Set.of("a", "b")),
                Arguments.of("malformed count selects nobody", tags("role", "web:x"), Set.of()),
                Arguments.of("empty count selects nobody", tags("role", "web:"), Set.of()),
                Arguments.of("count zero selects nobody", tags("role", "web:0"), Set.of()),
                Arguments.of("negative count selects nobody", tags("role", "web:-1"), Set.of()),
                Arguments.of("malformed count on another tag selects nobody", tags("role", "web", "dc", "eu:abc"),
                        Set.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("exactCases")
    void selectsExactly(String why, Map<String, String> jobTags, Set<String> expected) {
        TargetSelector selector = new TargetSelector(new Random(42));
        List<Target> chosen = selector.select(jobTags, CLUSTER);

        assertThat(chosen).extracting(Target::node).doesNotHaveDuplicates();
        assertThat(chosen.stream().map(Target::node).collect(Collectors.toSet())).as(why).isEqualTo(expected);
        // Each target carries the incarnation the member has now.
        assertThat(chosen).allSatisfy(t -> assertThat(t.incarnation()).isEqualTo("inc-" + t.node()));
    }

    @Test
    void cardinalityOnePicksExactlyOneMatchingMemberAndEveryMatchGetsPicked() {
        TargetSelector selector = new TargetSelector(new Random(7));
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 300; i++) {
            List<Target> chosen = selector.select(tags("role", "web:1"), CLUSTER);
            assertThat(chosen).hasSize(1);
            assertThat(chosen.get(0).node()).isIn("a", "b", "c");
            counts.merge(chosen.get(0).node(), 1, Integer::sum);
        }
        assertThat(counts.keySet()).containsExactlyInAnyOrder("a", "b", "c");
        // Uniform enough: with 300 picks among 3, each gets far more than a handful.
        assertThat(counts.values()).allSatisfy(n -> assertThat(n).isGreaterThan(50));
    }

    @Test
    void cardinalityTwoPicksTwoDistinctMatchingMembers() {
        TargetSelector selector = new TargetSelector(new Random(11));
        Set<Set<String>> pairs = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            List<Target> chosen = selector.select(tags("role", "web:2"), CLUSTER);
            Set<String> names = chosen.stream().map(Target::node).collect(Collectors.toSet());
            assertThat(chosen).hasSize(2);
            assertThat(names).hasSize(2).isSubsetOf("a", "b", "c");
            pairs.add(names);
        }
        assertThat(pairs).containsExactlyInAnyOrder(Set.of("a", "b"), Set.of("a", "c"), Set.of("b", "c"));
    }

    @Test
    void lowestCountAcrossTagsWins() {
        TargetSelector selector = new TargetSelector(new Random(3));
        List<Member> members = List.of(
                alive("a", Map.of("role", "web", "dc", "eu")),
                alive("b", Map.of("role", "web", "dc", "eu")),
                alive("c", Map.of("role", "web", "dc", "eu")),
                alive("d", Map.of("role", "web", "dc", "eu")));
        for (int i = 0; i < 50; i++) {
            assertThat(selector.select(tags("role", "web:3", "dc", "eu:1"), members)).hasSize(1);
            assertThat(selector.select(tags("role", "web:1", "dc", "eu:3"), members)).hasSize(1);
            assertThat(selector.select(tags("role", "web:2", "dc", "eu:3"), members)).hasSize(2);
            assertThat(selector.select(tags("role", "web:3", "dc", "eu"), members)).hasSize(3);
        }
    }

    @Test
    void deadMembersAreNeverChosen() {
        TargetSelector selector = new TargetSelector(new Random(5));
        List<Member> mostlyDead = List.of(
                withStatus("f", Map.of("role", "web"), Member.Status.FAILED),
                withStatus("g", Map.of("role", "web"), Member.Status.LEFT),
                withStatus("h", Map.of("role", "web"), Member.Status.LEAVING),
                alive("a", Map.of("role", "web")));
        for (int i = 0; i < 100; i++) {
            assertThat(selector.select(tags("role", "web:1"), mostlyDead)).extracting(Target::node)
                    .containsExactly("a");
            assertThat(selector.select(null, mostlyDead)).extracting(Target::node).containsExactly("a");
            assertThat(selector.select(tags("role", "web"), mostlyDead)).extracting(Target::node)
                    .containsExactly("a");
        }
        assertThat(selector.select(null, mostlyDead.subList(0, 3))).isEmpty();
    }

    @Test
    void memberWithoutTagsMatchesOnlyJobsWithoutTags() {
        TargetSelector selector = new TargetSelector(new Random(1));
        List<Member> members = List.of(alive("x", null));
        assertThat(selector.select(tags("role", "web"), members)).isEmpty();
        assertThat(selector.select(Map.of(), members)).extracting(Target::node).containsExactly("x");
    }

    @Test
    void dkronsReservedServerTagsMatchServersAsInDkron() {
        TargetSelector selector = new TargetSelector(new Random(1));
        Member s1 = new Member("s1", "inc-s1", Map.of("role", "web"), true, "127.0.0.1:8080", "10.0.0.1:6868",
                "127.0.0.1", 8946, Member.Status.ALIVE);
        Member s2 = new Member("s2", "inc-s2", Map.of(), true, "127.0.0.1:8081", "10.0.0.2:6868", "127.0.0.1", 8947,
                Member.Status.ALIVE);
        List<Member> members = List.of(s1, s2, alive("client", Map.of("role", "web")));
        assertThat(selector.select(tags("server", "true"), members)).extracting(Target::node)
                .containsExactlyInAnyOrder("s1", "s2");
        assertThat(selector.select(tags("server", "true:1"), members)).hasSize(1)
                .allMatch(t -> t.node().startsWith("s"));
        assertThat(selector.select(tags("port", "6868"), members)).extracting(Target::node)
                .containsExactlyInAnyOrder("s1", "s2");
        assertThat(selector.select(Map.of("server", "true", "role", "web"), members)).extracting(Target::node)
                .containsExactly("s1");
    }

    @Test
    void sameSeedSameChoice() {
        List<List<Target>> first = new java.util.ArrayList<>();
        List<List<Target>> second = new java.util.ArrayList<>();
        TargetSelector s1 = new TargetSelector(new Random(99));
        TargetSelector s2 = new TargetSelector(new Random(99));
        for (int i = 0; i < 20; i++) {
            first.add(s1.select(tags("role", "web:1"), CLUSTER));
            second.add(s2.select(tags("role", "web:1"), CLUSTER));
        }
        assertThat(first).isEqualTo(second);
    }
}

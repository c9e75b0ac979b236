package dev.hibachi.agent.dispatch;

import dev.hibachi.agent.cluster.Member;
import dev.hibachi.store.model.TagValue;
import dev.hibachi.store.model.Target;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Chooses the members that run a job, as Dkron does (notes/dkron.md §5.7): every job tag must match
 * (AND); a value {@code v:N} limits the run to N members, the lowest N across the tags winning; the N are
 * picked at random among the matches; no tags means every alive member. The choice is made once, by the
 * leader, and written into the plan, so sending a run never involves a choice.
 */
public final class TargetSelector {
    private final Random random;

    public TargetSelector(Random random) {
        this.random = random;
    }

    public List<Target> select(Map<String, String> jobTags, Collection<Member> members) {
        List<Member> matching = new ArrayList<>();
        int limit = Integer.MAX_VALUE;
        Map<String, String> tags = jobTags == null ? Map.of() : jobTags;
        for (Map.Entry<String, String> tag : tags.entrySet()) {
            TagValue v = TagValue.parse(tag.getValue());
            limit = Math.min(limit, v.count());
        }
        for (Member m : members) {
            if (m.alive() && matches(tags, m.dkronTags())) {
                matching.add(m);
            }
        }
        // Partial Fisher-Yates: the first `limit` entries become a uniform random sample.
        int n = Math.min(limit, matching.size());
        for (int i = 0; i < n && matching.size() > n; i++) {
            int j = i + random.nextInt(matching.size() - i);
            Member tmp = matching.get(i);
            matching.set(i, matching.get(j));
            matching.set(j, tmp);
        }
        return matching.subList(0, n).stream().map(m -> new Target(m.name(), m.incarnation())).toList();
    }

    private static boolean matches(Map<String, String> jobTags, Map<String, String> memberTags) {
        for (Map.Entry<String, String> tag : jobTags.entrySet()) {
            String have = memberTags == null ? null : memberTags.get(tag.getKey());
            if (have == null || !have.equals(TagValue.parse(tag.getValue()).value())) {
                return false;
            }
        }
        return true;
    }
}

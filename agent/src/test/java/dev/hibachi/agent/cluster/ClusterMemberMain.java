package dev.hibachi.agent.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A stand-in agent for {@link JGroupsMembershipTest}'s kill -9: joins the cluster as {@code args[0]} on port
 * {@code args[1]} through the ports that follow, prints {@code READY <incarnation>}, then waits to be killed.
 */
public final class ClusterMemberMain {

    private ClusterMemberMain() {
    }

    public static void main(String[] args) throws Exception {
        List<Integer> join = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            join.add(Integer.parseInt(args[i]));
        }
        TestNodes.Node node = TestNodes.start(args[0], Map.of("kind", "child"), false, Duration.ofHours(1),
                Integer.parseInt(args[1]), join);
        System.out.println("READY " + node.incarnation());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}

package dev.hibachi.agent.exec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The user (and group) a job runs as, from {@code executor_config.su}: {@code user} or
 * {@code user:group}, names or numeric ids; the group defaults to the user's primary group.
 *
 * <p>How: the job's argv is prefixed with util-linux {@code setpriv --reuid U --regid G --init-groups --},
 * which sets the groups (supplementary ones from the account databases), then the group and user ids,
 * and execs the job in place. Java cannot change a child's credentials itself and
 * {@code posix_spawn} has no attribute for them, while a program that only changes ids and then execs
 * keeps the pid, and so the session and process group {@link PosixSpawn} made, and the descriptors
 * (the output FIFO, stdin) opened before, as root. {@code runuser}/{@code su} would instead fork and
 * open a PAM session, leaving a root parent between the agent and the job.
 */
record RunAs(String userName, int uid, int gid, String home) {

    private static final Optional<String> SETPRIV = Stream.of("/usr/bin/setpriv", "/bin/setpriv")
            .filter(p -> Files.isExecutable(Path.of(p))).findFirst();

    /** Checks the form of {@code su} (at validation: the users themselves exist only on the nodes). */
    static void checkSyntax(String su) throws InvalidExecutorConfigException {
        int colon = su.indexOf(':');
        String user = colon < 0 ? su : su.substring(0, colon);
        String group = colon < 0 ? null : su.substring(colon + 1);
        if (user.isEmpty()) {
            throw new InvalidExecutorConfigException("su", "expected user or user:group, got \"" + su + "\"");
        }
        if (group != null && (group.isEmpty() || group.indexOf(':') >= 0)) {
            throw new InvalidExecutorConfigException("su", "expected user or user:group, got \"" + su + "\"");
        }
        if (!su.chars().allMatch(c -> c > ' ' && c != 0x7f)) {
            throw new InvalidExecutorConfigException("su", "must not contain spaces or control characters, got \""
                    + su + "\"");
        }
    }

    /**
     * Who a job with {@code su} runs as, when the run starts; empty when that is the agent itself.
     *
     * @throws IllegalArgumentException with a message for the run's output: unknown user or group,
     *     an agent that is not root asked for another user, no {@code setpriv}
     */
    static Optional<RunAs> resolve(String su) {
        if (!Accounts.available()) {
            throw new IllegalArgumentException("su is not supported on this system");
        }
        int colon = su.indexOf(':');
        String userText = colon < 0 ? su : su.substring(0, colon);
        Accounts.User user = Accounts.user(userText).orElseThrow(() ->
                new IllegalArgumentException("su: unknown user \"" + userText + "\""));
        int gid = user.gid();
        if (colon >= 0) {
            String groupText = su.substring(colon + 1);
            gid = Accounts.group(groupText).orElseThrow(() ->
                    new IllegalArgumentException("su: unknown group \"" + groupText + "\""));
        }
        int agentUid = Accounts.effectiveUid();
        if (agentUid != 0) {
            if (user.uid() == agentUid && colon < 0) {
                return Optional.empty(); // already that user
            }
            throw new IllegalArgumentException("su: cannot run as \"" + su + "\": the agent runs as uid "
                    + agentUid + ", not as root");
        }
        if (SETPRIV.isEmpty()) {
            throw new IllegalArgumentException("su needs util-linux setpriv (/usr/bin/setpriv), not found here");
        }
        return Optional.of(new RunAs(user.name(), user.uid(), gid, user.home()));
    }

    /** What goes before the job's argv. */
    List<String> argvPrefix() {
        return List.of(SETPRIV.get(), "--reuid=" + uid, "--regid=" + gid, "--init-groups", "--");
    }

    /** The user's own variables, over the agent's. */
    void putEnv(Map<String, String> env) {
        env.put("HOME", home == null || home.isEmpty() ? "/" : home);
        env.put("USER", userName);
        env.put("LOGNAME", userName);
    }
}

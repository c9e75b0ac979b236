package dev.hibachi.agent.notify;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Links into the dashboard for a notice: the execution a reader should look at first, else the job, else the
 * dashboard itself. They are path URLs, as the dashboard's own (the agent answers its index.html for any of them).
 *
 * @param base the dashboard's address without the trailing slash ({@code --ui-url})
 */
public record DashboardLinks(String base) {

    public DashboardLinks {
        base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    /**
     * {@code <base>/ui/jobs/<job>/executions/<id>} of the run's first failed execution (the one worth reading),
     * else its first one; {@code <base>/ui/jobs/<job>} for other job events; {@code <base>/ui/} otherwise.
     */
    public String of(Notice notice) {
        if (notice.job() == null) {
            return base + "/ui/";
        }
        String job = base + "/ui/jobs/" + encode(notice.job());
        return notice.executions().stream()
                .filter(a -> !a.success()).findFirst()
                .or(() -> notice.executions().stream().findFirst())
                .map(a -> job + "/executions/" + encode(a.id()))
                .orElse(job);
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }
}

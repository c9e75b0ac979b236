package dev.hibachi.agent.notify;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a channel is told about a notice, by the agent's rules and the job's overrides in its metadata:
 * {@code notify.<channel>} = {@code never} silences a channel; {@code notify.<channel>.on}, else {@code notify.on},
 * replaces the agent's rule for the job. A start (the pre-webhook) always goes; audit and cluster events go only
 * when asked for.
 */
public final class NoticeFilter {
    private static final Logger LOG = LoggerFactory.getLogger(NoticeFilter.class);

    private final NotifySettings settings;

    public NoticeFilter(NotifySettings settings) {
        this.settings = settings;
    }

    public boolean wants(String channel, Notice notice) {
        if ("never".equalsIgnoreCase(notice.metadata().getOrDefault("notify." + channel, "").trim())) {
            return false;
        }
        return switch (notice.event()) {
            case RUN_STARTED -> true;
            case JOB_CREATED, JOB_CHANGED, JOB_DELETED -> settings.audit();
            case MEMBER_FAILED, LEADER_CHANGED -> settings.clusterEvents();
            case RUN_FINISHED -> rule(channel, notice).passesRun(notice.status(), notice.previousStatus());
            case RUN_MISSED, RUN_SKIPPED, RUN_OVERDUE, RUN_KILLED -> rule(channel, notice).passesTrouble();
        };
    }

    /** The job's rule for the channel, else the agent's. A bad value in the metadata is logged and ignored. */
    NotifyOn rule(String channel, Notice notice) {
        for (String key : new String[]{"notify." + channel + ".on", "notify.on"}) {
            String value = notice.metadata().get(key);
            if (value != null && !value.isBlank()) {
                try {
                    return NotifyOn.parse(key, value);
                } catch (IllegalArgumentException e) {
                    LOG.warn("Job {}: metadata {}; the agent's rule applies", notice.job(), e.getMessage());
                }
            }
        }
        return settings.ruleFor(channel);
    }
}

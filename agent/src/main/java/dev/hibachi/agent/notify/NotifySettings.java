package dev.hibachi.agent.notify;

import java.util.Map;
import java.util.Optional;

/**
 * The agent's notification rules: {@code --notify-on} for every channel, a channel's own
 * ({@code --mail-notify-on}, {@code --webhook-notify-on}, {@code --slack-notify-on}) where given, and whether audit
 * events (job created, changed, deleted; {@code --notify-audit}) and cluster events (member failed, leader
 * changed; {@code --notify-cluster-events}) are sent at all.
 */
public record NotifySettings(NotifyOn notifyOn, Map<String, NotifyOn> perChannel, boolean audit,
                             boolean clusterEvents) {

    public NotifySettings {
        perChannel = perChannel == null ? Map.of() : Map.copyOf(perChannel);
    }

    /** Dkron's: every run, no audit, no cluster events. */
    public static NotifySettings defaults() {
        return new NotifySettings(NotifyOn.ALWAYS, Map.of(), false, false);
    }

    /** The agent's rule for {@code channel}. */
    public NotifyOn ruleFor(String channel) {
        return Optional.ofNullable(perChannel.get(channel)).orElse(notifyOn);
    }
}

package dev.hibachi.agent.schedule;

import dev.hibachi.store.model.Job;
import dev.hibachi.store.model.JobValidator;
import dev.hibachi.store.schedule.InvalidScheduleException;
import dev.hibachi.store.schedule.Schedule;

import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Parsed schedules of the jobs being planned, bounded (least recently used out), so planning does not
 * re-parse a hot job every second and 100,000 idle jobs do not hold 100,000 parsed expressions.
 */
final class ScheduleCache {
    private static final int CAPACITY = 10_000;

    private final Map<String, Schedule> cache = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Schedule> eldest) {
            return size() > CAPACITY;
        }
    };

    synchronized Optional<Schedule> of(Job job, ZoneId defaultZone) {
        String key = job.name() + '\u0000' + job.schedule() + '\u0000' + job.timezone() + '\u0000' + defaultZone
                + '\u0000' + job.startsAt() + '\u0000' + job.expiresAt();
        Schedule s = cache.get(key);
        if (s == null) {
            try {
                s = JobValidator.scheduleOf(job, defaultZone);
            } catch (InvalidScheduleException | JobValidator.InvalidJobException e) {
                return Optional.empty();
            }
            cache.put(key, s);
        }
        return Optional.of(s);
    }
}

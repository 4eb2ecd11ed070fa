package dev.calibra.runtime.grpc;

import dev.calibra.rpc.CalibraException;
import dev.calibra.rpc.auth.CallerCredentials;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Direct calls (Compress, Evaluate, SampleCalibrationSet) bypass the queue and its quotas, so each worker
 * process lets a team run at most {@code calibra.direct.max-per-team} of them at once (env
 * CALIBRA_DIRECT_MAX_PER_TEAM, default 4); more is RESOURCE_EXHAUSTED, saying to queue a job instead. One
 * team cannot take every request thread of a shared replica.
 */
@ApplicationScoped
public class DirectCallSlots {

    private final int maxPerTeam;
    private final Map<String, AtomicInteger> running = new ConcurrentHashMap<>();

    public DirectCallSlots(@ConfigProperty(name = "calibra.direct.max-per-team", defaultValue = "4") int maxPerTeam) {
        if (maxPerTeam < 1) {
            throw new IllegalArgumentException("calibra.direct.max-per-team must be >= 1, got " + maxPerTeam);
        }
        this.maxPerTeam = maxPerTeam;
    }

    /** A slot for the calling team's {@code method} call; close it when the call ends. */
    public Slot acquire(String method) {
        String team = CallerCredentials.currentTeam();
        AtomicInteger count = running.computeIfAbsent(team, key -> new AtomicInteger());
        if (count.incrementAndGet() > maxPerTeam) {
            count.decrementAndGet();
            throw new CalibraException(CalibraException.Kind.RESOURCE_EXHAUSTED, "team " + (team.isEmpty() ? "(unknown)" : team)
                    + " already runs " + maxPerTeam + " direct calls on this service (calibra.direct.max-per-team); "
                    + method + " waits for one to end, or submit it as a job (SubmitJob) to queue it");
        }
        return count::decrementAndGet;
    }

    /** A held slot; closing releases it. */
    @FunctionalInterface
    public interface Slot extends AutoCloseable {
        @Override
        void close();
    }
}

package dev.calibra.registry.job;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/** Periodically re-queues jobs whose worker went silent and fails jobs past their limits. */
@ApplicationScoped
public class JobReaper {

    private static final Logger LOG = Logger.getLogger(JobReaper.class);

    private final JobQueue queue;

    public JobReaper(JobQueue queue) {
        this.queue = queue;
    }

    @Scheduled(every = "${calibra.jobs.reaper-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void reap() {
        try {
            int changed = queue.reap();
            if (changed > 0) {
                LOG.infof("reaper changed %d job(s): expired leases, run-time limits or failed dependencies", changed);
            }
        } catch (RuntimeException e) {
            // The database may be restarting; the next tick tries again.
            LOG.warnf("reaper could not run: %s", e.getMessage());
        }
    }
}

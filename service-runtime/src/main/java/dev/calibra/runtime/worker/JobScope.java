package dev.calibra.runtime.worker;

import dev.calibra.proto.v1.Job;
import java.util.concurrent.Callable;

/**
 * What a service wraps around each job it runs: log context (the job id), a tracing span that continues
 * the submitter's trace, timers. The worker loop itself stays free of those libraries.
 */
@FunctionalInterface
public interface JobScope {

    JobScope NONE = new JobScope() {
        @Override
        public <T> T run(Job job, Callable<T> body) throws Exception {
            return body.call();
        }
    };

    <T> T run(Job job, Callable<T> body) throws Exception;
}

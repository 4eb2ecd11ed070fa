package dev.calibra.compression.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.calibra.compression.service.RunObserver;
import dev.calibra.proto.v1.Job;
import dev.calibra.runtime.worker.JobContext;
import org.junit.jupiter.api.Test;

/** How a COMPRESS job's claim is seen by the run: whether a failure would be retried decides its checkpoints. */
class CompressionJobHandlerTest {

    /** A job context that only answers where to resume from. */
    private static JobContext contextResumingFrom(String uri) {
        return new JobContext() {
            @Override
            public void progress(double fraction, String message) {}

            @Override
            public void checkpoint(String checkpointUri) {}

            @Override
            public String resumeFrom() {
                return uri;
            }

            @Override
            public boolean stopRequested() {
                return false;
            }
        };
    }

    private static RunObserver observerFor(int attempts, int maxAttempts) {
        Job job = Job.newBuilder().setId("job-1").setAttempts(attempts).setMaxAttempts(maxAttempts).build();
        return CompressionJobHandler.observer(job, contextResumingFrom("file:/store/checkpoints/job-1/block-00000.safetensors"));
    }

    @Test
    void observer_attemptsLeft_saysAFailureWouldBeRetried() {
        assertTrue(observerFor(1, 3).retriesLeft());
        assertTrue(observerFor(2, 3).retriesLeft());
    }

    @Test
    void observer_lastAttempt_saysNoRetry_soCheckpointsAreRemovedOnFailure() {
        assertFalse(observerFor(3, 3).retriesLeft());
        assertFalse(observerFor(1, 1).retriesLeft());
        assertFalse(observerFor(4, 3).retriesLeft(), "claimed past its limit (lease expiry races)");
    }

    @Test
    void observer_resumesFromTheQueuesCheckpoint() {
        assertEquals("file:/store/checkpoints/job-1/block-00000.safetensors", observerFor(2, 3).resumeFrom());
    }
}

package dev.calibra.runtime.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.calibra.proto.v1.Job;
import dev.calibra.proto.v1.JobType;
import dev.calibra.rpc.CalibraException;
import dev.calibra.rpc.auth.CallerCredentials;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The job loop against a fake queue: what it tells the registry about each claim. */
class JobWorkerTest {

    FakeJobs queue;

    @BeforeEach
    void startQueue() throws Exception {
        queue = new FakeJobs();
    }

    @AfterEach
    void stopQueue() {
        queue.close();
    }

    private static Job job(String id, int attempts) {
        return Job.newBuilder().setId(id).setType(JobType.JOB_TYPE_EVALUATE).setTeam("team-a").setAttempts(attempts).build();
    }

    private JobWorker worker(JobHandler handler) {
        return new JobWorker(queue.stub(), "w", List.of(JobType.JOB_TYPE_EVALUATE), handler, Duration.ofMillis(50), 1);
    }

    @Test
    void runOne_namesTheClaimsAttempt_onHeartbeatsAndCompletion_andActsForTheJobsTeam() {
        queue.queued.add(job("job-1", 3));
        AtomicReference<String> team = new AtomicReference<>();
        try (JobWorker worker = worker((claimed, context) -> {
            team.set(CallerCredentials.currentTeam());
            context.checkpoint("file:/store/checkpoints/job-1/block-00000.safetensors");  // heartbeats at once
            return List.of("scr-1");
        })) {
            assertTrue(worker.runOne());
            assertFalse(worker.runOne(), "nothing else is queued");
        }
        assertEquals("team-a", team.get());
        assertFalse(queue.heartbeats.isEmpty());
        queue.heartbeats.forEach(beat -> assertEquals(3, beat.getAttempt(), beat.toString()));
        assertEquals(1, queue.completed.size());
        assertEquals(3, queue.completed.get(0).getAttempt());
        assertEquals(List.of("scr-1"), queue.completed.get(0).getResultIdsList());
    }

    @Test
    void runOne_failure_namesTheAttempt_andIsClassifiedByFailures() {
        queue.queued.add(job("job-2", 2));
        try (JobWorker worker = worker((claimed, context) -> {
            throw CalibraException.invalidArgument("tasks: 'nope' is not a task");
        })) {
            worker.runOne();
        }
        assertEquals(1, queue.failed.size());
        assertEquals(2, queue.failed.get(0).getAttempt());
        assertEquals("[INVALID_ARGUMENT] tasks: 'nope' is not a task", queue.failed.get(0).getError());
        assertFalse(queue.failed.get(0).getRetryable());
    }

    @Test
    void runOne_error_failsForGood_thenAsksWhetherTheProcessCanGoOn() {
        queue.queued.add(job("job-3", 1));
        AtomicReference<Error> seen = new AtomicReference<>();
        try (JobWorker worker = worker((claimed, context) -> {
            throw new OutOfMemoryError("Java heap space");
        }).afterError(seen::set)) {
            worker.runOne();
        }
        assertEquals("OutOfMemoryError: Java heap space", queue.failed.get(0).getError());
        assertFalse(queue.failed.get(0).getRetryable());
        assertEquals("Java heap space", seen.get().getMessage());
    }
}

package dev.calibra.runtime.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.calibra.proto.v1.Job;
import dev.calibra.proto.v1.JobType;
import dev.calibra.rpc.RegistryConnection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Whether the worker can go on after a job's OutOfMemoryError, as readiness and the exit status say. */
class WorkerRuntimeTest {

    FakeJobs queue;
    WorkerRuntime runtime;
    final List<Integer> exits = new CopyOnWriteArrayList<>();

    /** Runs EVALUATE jobs; "job-oom" runs out of memory. */
    static final class Handler implements ServiceJobHandler {
        @Override
        public List<JobType> types() {
            return List.of(JobType.JOB_TYPE_EVALUATE);
        }

        @Override
        public String serviceName() {
            return "eval-service";
        }

        @Override
        public List<String> run(Job job, JobContext context) {
            if (job.getId().equals("job-oom")) {
                throw new OutOfMemoryError("Java heap space");
            }
            return List.of("scr-" + job.getId());
        }
    }

    @BeforeEach
    void start() throws Exception {
        queue = new FakeJobs();
        runtime = new WorkerRuntime(new Handler(), new RegistryConnection(queue.channel), JobScope.NONE, true, 30,
                Duration.ofMillis(20));
        runtime.exit = exits::add;
    }

    @AfterEach
    void stop() {
        runtime.stop();
        queue.close();
    }

    private void awaitFinished(int jobs) throws InterruptedException {
        for (int i = 0; i < 200 && queue.completed.size() + queue.failed.size() < jobs; i++) {
            Thread.sleep(25);
        }
    }

    @Test
    void heapReleasedAfterTheError_goesOnClaiming_andStaysReady() throws Exception {
        runtime.heapUsedAfterGc = () -> 0.4;
        queue.queued.add(Job.newBuilder().setId("job-oom").setAttempts(1).build());
        queue.queued.add(Job.newBuilder().setId("job-next").setAttempts(1).build());
        runtime.start();
        awaitFinished(2);
        assertEquals("OutOfMemoryError: Java heap space", queue.failed.get(0).getError());
        assertEquals(1, queue.completed.size(), "the next job ran");
        assertTrue(runtime.health().up(), runtime.health().detail());
        assertEquals(List.of(), exits);
        assertTrue(runtime.workerId().startsWith("eval-service@"), runtime.workerId());
    }

    @Test
    void heapStillFullAfterTheError_marksNotReady_andExitsForARestart() throws Exception {
        runtime.heapUsedAfterGc = () -> 0.97;
        queue.queued.add(Job.newBuilder().setId("job-oom").setAttempts(1).build());
        queue.queued.add(Job.newBuilder().setId("job-next").setAttempts(1).build());
        runtime.start();
        awaitFinished(1);
        for (int i = 0; i < 200 && exits.isEmpty(); i++) {
            Thread.sleep(25);
        }
        assertEquals(List.of(WorkerRuntime.EXIT_STATUS), exits);
        WorkerRuntime.Health health = runtime.health();
        assertFalse(health.up());
        assertTrue(health.detail().contains("OutOfMemoryError left the heap 97% used"), health.detail());
        Thread.sleep(200);
        assertEquals(List.of(), queue.completed, "no job is claimed after giving up");
    }

    @Test
    void disabled_claimsNothing_andIsReady() {
        WorkerRuntime off = new WorkerRuntime(new Handler(), new RegistryConnection(queue.channel), JobScope.NONE, false, 30,
                Duration.ofMillis(20));
        off.start();
        assertTrue(off.health().up());
        assertEquals("", off.workerId());
    }
}

package dev.calibra.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LoadRunTest {

    @Test
    void latencies_areNearestRankPercentiles() {
        long[] nanos = new long[100];
        for (int i = 0; i < 100; i++) {
            nanos[i] = (100 - i) * 1_000_000L;  // 100 ms .. 1 ms, unsorted
        }
        Latencies latencies = Latencies.of(nanos, 100);

        assertEquals(100, latencies.calls());
        assertEquals(50.0, latencies.p50Millis());
        assertEquals(95.0, latencies.p95Millis());
        assertEquals(99.0, latencies.p99Millis());
        assertEquals(100.0, latencies.maxMillis());
        assertEquals(50.5, latencies.meanMillis(), 1e-9);
    }

    @Test
    void callKinds_takeTurns() {
        assertEquals(CallKind.RECORD_SCORES, CallKind.of(0));
        assertEquals(CallKind.SUBMIT_JOB, CallKind.of(3));
        assertEquals(CallKind.RECORD_SCORES, CallKind.of(4));
    }

    @Test
    void run_makesEveryCallOnceAcrossTheClients_andCountsErrorsPerKind() throws InterruptedException {
        Set<Long> measured = ConcurrentHashMap.newKeySet();
        AtomicInteger connected = new AtomicInteger();
        AtomicInteger closed = new AtomicInteger();

        LoadRun.Result result = LoadRun.run(8, 1000, 100, client -> {
            connected.incrementAndGet();
            return new LoadRun.Client() {
                @Override
                public void call(CallKind kind, long index) throws Exception {
                    assertEquals(CallKind.of(index), kind);
                    if (index < 1000) {
                        assertTrue(measured.add(index), "call " + index + " made twice");
                    }
                    if (kind == CallKind.GET_MODEL && index % 100 == 2) {
                        throw new IllegalStateException("NOT_FOUND");
                    }
                    Thread.sleep(0, 100_000);
                }

                @Override
                public void close() {
                    closed.incrementAndGet();
                }
            };
        });

        assertEquals(1000, measured.size());
        assertEquals(8, connected.get());
        assertEquals(8, closed.get());
        assertEquals(1000, result.calls());
        assertEquals(1000, result.overall().calls());
        assertEquals(250, result.byKind().get(CallKind.SUBMIT_JOB).calls());
        assertEquals(10, result.errorsByKind().get(CallKind.GET_MODEL));  // indices 2, 102, ..., 902
        assertEquals(10, result.errors());
        assertEquals(0, result.errorsByKind().get(CallKind.RECORD_SCORES));
        assertTrue(result.errorSamples().get(0).startsWith("get_model: java.lang.IllegalStateException: NOT_FOUND"));
        assertTrue(result.callsPerSecond() > 0);
    }

    @Test
    void run_refusesNoClients() {
        assertThrows(IllegalArgumentException.class, () -> LoadRun.run(0, 10, 0, client -> (kind, index) -> {}));
    }
}

package dev.calibra.cli.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.IntFunction;

/**
 * Closed-loop load: `clients` threads, each with its own connection, take call numbers from one shared
 * counter until `calls` are done, each client waiting for its answer before its next call. Call number i
 * is {@link CallKind#of}(i). A warm-up of the same mix runs first and is not measured (JIT, connection
 * pools, database caches).
 */
public final class LoadRun {

    /** One client: makes call number `index` of kind `kind` and returns when it is answered. */
    public interface Client extends AutoCloseable {
        void call(CallKind kind, long index) throws Exception;

        @Override
        default void close() {}
    }

    /** What a run measured. */
    public record Result(int clients, int calls, double seconds, Map<CallKind, Latencies> byKind, Latencies overall,
            Map<CallKind, Integer> errorsByKind, List<String> errorSamples) {

        public int errors() {
            return errorsByKind.values().stream().mapToInt(Integer::intValue).sum();
        }

        public double callsPerSecond() {
            return calls / seconds;
        }
    }

    private static final int ERROR_SAMPLES = 5;

    private LoadRun() {}

    public static Result run(int clients, int calls, int warmupCalls, IntFunction<Client> connect) throws InterruptedException {
        if (clients < 1 || calls < 1 || warmupCalls < 0) {
            throw new IllegalArgumentException("clients and calls must be >= 1 and warm-up >= 0, got " + clients + ", "
                    + calls + ", " + warmupCalls);
        }
        List<Client> connected = new ArrayList<>();
        try {
            for (int client = 0; client < clients; client++) {
                connected.add(connect.apply(client));
            }
            if (warmupCalls > 0) {
                phase(connected, warmupCalls, calls);  // numbered after the measured calls: distinct request ids
            }
            return phase(connected, calls, 0);
        } finally {
            connected.forEach(Client::close);
        }
    }

    private static Result phase(List<Client> clients, int calls, long firstIndex) throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        AtomicLongArray nanos = new AtomicLongArray(calls);
        AtomicLongArray failed = new AtomicLongArray(calls);
        List<String> errorSamples = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch start = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(clients.size());
        for (int c = 0; c < clients.size(); c++) {
            Client client = clients.get(c);
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                    for (int i = next.getAndIncrement(); i < calls; i = next.getAndIncrement()) {
                        long index = firstIndex + i;
                        long begin = System.nanoTime();
                        try {
                            client.call(CallKind.of(index), index);
                        } catch (Exception e) {
                            failed.set(i, 1);
                            if (errorSamples.size() < ERROR_SAMPLES) {
                                errorSamples.add(CallKind.of(index).key() + ": " + e);
                            }
                        }
                        nanos.set(i, System.nanoTime() - begin);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    done.countDown();
                }
            }, "bench-client-" + c);
            thread.setDaemon(true);
            thread.start();
        }
        long begin = System.nanoTime();
        start.countDown();
        done.await();
        double seconds = (System.nanoTime() - begin) / 1e9;
        return summarize(clients.size(), calls, firstIndex, seconds, nanos, failed, errorSamples);
    }

    private static Result summarize(int clients, int calls, long firstIndex, double seconds, AtomicLongArray nanos,
            AtomicLongArray failed, List<String> errorSamples) {
        Map<CallKind, long[]> byKind = new EnumMap<>(CallKind.class);
        Map<CallKind, Integer> counts = new EnumMap<>(CallKind.class);
        Map<CallKind, Integer> errors = new EnumMap<>(CallKind.class);
        long[] all = new long[calls];
        for (CallKind kind : CallKind.values()) {
            byKind.put(kind, new long[calls / CallKind.values().length + 1]);
            counts.put(kind, 0);
            errors.put(kind, 0);
        }
        for (int i = 0; i < calls; i++) {
            CallKind kind = CallKind.of(firstIndex + i);
            int n = counts.get(kind);
            byKind.get(kind)[n] = nanos.get(i);
            counts.put(kind, n + 1);
            all[i] = nanos.get(i);
            if (failed.get(i) != 0) {
                errors.merge(kind, 1, Integer::sum);
            }
        }
        Map<CallKind, Latencies> latencies = new LinkedHashMap<>();
        for (CallKind kind : CallKind.values()) {
            latencies.put(kind, Latencies.of(byKind.get(kind), counts.get(kind)));
        }
        return new Result(clients, calls, seconds, latencies, Latencies.of(all, calls), errors, List.copyOf(errorSamples));
    }
}

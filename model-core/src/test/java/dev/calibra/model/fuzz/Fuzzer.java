package dev.calibra.model.fuzz;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small seeded fuzzer for parsers. Input {@code i} is built from {@code (seed, i)} alone, so any input
 * can be rebuilt; each runs on a worker thread under a time limit and an allocation limit, and ends in
 * one of three ways: parsed, refused with the parser's documented error, or failed (any other throwable,
 * a hang, or more heap allocated than the input can justify). An input over the time limit runs once
 * more, so that a one-off stall of a loaded machine is not called a hang; over the limit twice, or no
 * answer within ten times the limit, is one. Failing inputs are saved under {@code target/fuzz-failures/}
 * and the run fails listing each distinct failure once.
 *
 * <p>Shared with the other modules' fuzz tests through model-core's test jar. System properties:
 * {@code calibra.fuzz.seed}, {@code calibra.fuzz.tries} and {@code calibra.fuzz.seconds} (per target),
 * {@code calibra.fuzz.timeoutMillis} (per input), {@code calibra.fuzz.replay} (a saved input: only the
 * target it was saved from runs, on that input alone).
 */
public final class Fuzzer {

    public static final long DEFAULT_SEED = 8;
    public static final int DEFAULT_SECONDS = 8;
    public static final Path FAILURES = Path.of("target", "fuzz-failures");
    private static final int MAX_SAVED_FAILURES = 20;
    private static final int MAX_HANGS = 3;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** Turns the random stream of one try into an input. */
    @FunctionalInterface
    public interface Generator {
        byte[] next(SplittableRandom random) throws Exception;
    }

    /** Feeds one input to the code under test; returning normally means "parsed". */
    @FunctionalInterface
    public interface Target {
        void run(byte[] input) throws Exception;
    }

    /** Whether a throwable is the documented refusal of this input (e.g. the right type naming the file). */
    @FunctionalInterface
    public interface Refusal {
        boolean documented(Throwable error);
    }

    /**
     * @param tries           inputs per target at most
     * @param time            wall time per target at most (the run stops at whichever limit comes first)
     * @param perInput        an input over this runs again; over it twice (or over ten times it once) is a hang
     * @param allocationBytes heap one input may allocate, beyond 64 bytes per input byte
     */
    public record Settings(long seed, int tries, Duration time, Duration perInput, long allocationBytes) {

        /**
         * The CI budget: {@code defaultTries} inputs or {@link #DEFAULT_SECONDS}, whichever ends first (twelve
         * targets stay near 90 s on two cores); the calibra.fuzz.* system properties override each part.
         */
        public static Settings fromSystemProperties(int defaultTries) {
            return new Settings(Long.getLong("calibra.fuzz.seed", DEFAULT_SEED),
                    Integer.getInteger("calibra.fuzz.tries", defaultTries),
                    Duration.ofSeconds(Long.getLong("calibra.fuzz.seconds", DEFAULT_SECONDS)),
                    Duration.ofMillis(Long.getLong("calibra.fuzz.timeoutMillis", 2000)),
                    256L << 20);
        }
    }

    /** What a run did: inputs tried, how many parsed, refusals by exception type, failures. */
    public record Report(String target, long seed, int tries, long elapsedMillis, long cpuMillis,
            long generatorCpuMillis, int parsed, Map<String, Integer> refused, int failed, List<String> failures,
            boolean replay) {

        public int refusedTotal() {
            return refused.values().stream().mapToInt(Integer::intValue).sum();
        }

        /**
         * Fails on any failure; also when a run of 100 inputs or more never reached both outcomes (a
         * generator that only makes garbage, or only valid input, tests less than it seems to).
         */
        public Report assertNoFailures() {
            if (!failures.isEmpty()) {
                throw new AssertionError("fuzz " + target + " (seed " + seed + "): " + failures.size()
                        + " distinct failure(s) in " + tries + " inputs\n\n" + String.join("\n\n", failures));
            }
            if (!replay && tries >= 100 && (parsed == 0 || refusedTotal() == 0)) {
                throw new AssertionError("fuzz " + target + ": inputs should both parse and be refused, got " + this);
            }
            return this;
        }

        @Override
        public String toString() {
            return String.format("fuzz %s: %d inputs in %.1f s (CPU: %.1f s in the code under test, %.1f s generating; "
                    + "seed %d): %d parsed, %d refused %s, %d failed (%d distinct)", target, tries, elapsedMillis / 1000.0,
                    cpuMillis / 1000.0, generatorCpuMillis / 1000.0, seed, parsed, refusedTotal(), refused, failed,
                    failures.size());
        }
    }

    private final String target;
    private final Settings settings;
    private final AtomicLong cpuNanos = new AtomicLong();
    private ExecutorService worker;
    private int hangs;

    public Fuzzer(String target, Settings settings) {
        this.target = target;
        this.settings = settings;
    }

    /** Runs the budget (or the replayed input) and returns the report; failures are in it, not thrown. */
    public Report run(Generator generator, Target code, Refusal refusal) throws IOException {
        String replay = System.getProperty("calibra.fuzz.replay", "");
        boolean replaying = !replay.isBlank();
        if (replaying && !Path.of(replay).getFileName().toString().startsWith(target + "-")) {
            return new Report(target, settings.seed(), 0, 0, 0, 0, 0, Map.of(), 0, List.of(), true);
        }
        long start = System.nanoTime();
        long deadline = start + settings.time().toNanos();
        Map<String, Integer> refused = new TreeMap<>();
        Map<String, String> failures = new LinkedHashMap<>();
        int parsed = 0;
        int failed = 0;
        int tries = 0;
        long generatorNanos = 0;
        worker = newWorker();
        try {
            for (int i = 0; replaying ? i < 1 : i < settings.tries() && System.nanoTime() < deadline && hangs < MAX_HANGS; i++) {
                byte[] input;
                long generatorStart = THREADS.getCurrentThreadCpuTime();
                try {
                    input = replaying ? Files.readAllBytes(Path.of(replay))
                            : generator.next(new SplittableRandom(inputSeed(settings.seed(), i)));
                } catch (Exception e) {
                    throw new IllegalStateException("fuzz " + target + ": the generator failed on try " + i, e);
                }
                generatorNanos += THREADS.getCurrentThreadCpuTime() - generatorStart;
                tries++;
                Throwable error = attempt(code, input);
                if (error instanceof Stall stall && !stall.hang) {
                    // a one-off stall (class loading, a collection, a loaded CI machine) passes; twice is a hang
                    error = attempt(code, input);
                }
                if (error == null) {
                    parsed++;
                } else if (!(error instanceof Stall) && !(error instanceof AllocationExceeded) && refusal.documented(error)) {
                    refused.merge(error.getClass().getSimpleName(), 1, Integer::sum);
                } else {
                    failed++;
                    recordFailure(failures, error, input, i, replaying);
                }
            }
        } finally {
            worker.shutdownNow();
        }
        Report report = new Report(target, settings.seed(), tries, (System.nanoTime() - start) / 1_000_000,
                cpuNanos.get() / 1_000_000, generatorNanos / 1_000_000, parsed, refused, failed,
                List.copyOf(failures.values()), replaying);
        System.out.println(report);
        return report;
    }

    /**
     * Runs one input on the worker: its throwable, null when it parsed, or a {@link Stall} when it took
     * longer than the per-input limit (a run that goes past ten times the limit is abandoned).
     */
    private Throwable attempt(Target code, byte[] input) {
        Thread[] runner = new Thread[1];
        Future<Throwable> outcome = worker.submit(() -> {
            runner[0] = Thread.currentThread();
            return runMeasured(code, input);
        });
        long limitMillis = settings.perInput().toMillis();
        try {
            try {
                return outcome.get(limitMillis, TimeUnit.MILLISECONDS);
            } catch (TimeoutException slow) {
                Throwable late = outcome.get(9 * limitMillis, TimeUnit.MILLISECONDS);
                return new Stall("took over " + limitMillis + " ms (then ended with " + late + ")", false, null);
            }
        } catch (TimeoutException hang) {
            Stall stall = new Stall("no answer within " + 10 * limitMillis + " ms (a hang)", true,
                    runner[0] == null ? null : runner[0].getStackTrace());
            // the stuck thread cannot be stopped: abandon it (a daemon) and go on with a fresh one
            outcome.cancel(true);
            worker.shutdownNow();
            worker = newWorker();
            hangs++;
            return stall;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The seed of try {@code i}: SplitMix64 of the run seed and the index, so neighbours are unrelated. */
    public static long inputSeed(long seed, int i) {
        long z = seed * 0x9E3779B97F4A7C15L + (i + 1) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Runs the code on this thread: its throwable or null, or {@link AllocationExceeded} either way. */
    private Throwable runMeasured(Target code, byte[] input) {
        long cpuBefore = THREADS.getCurrentThreadCpuTime();
        long before = allocatedBytes();
        Throwable error = null;
        try {
            code.run(input);
        } catch (Throwable thrown) {
            error = thrown;
        }
        cpuNanos.addAndGet(THREADS.getCurrentThreadCpuTime() - cpuBefore);
        long allocated = allocatedBytes() - before;
        long allowed = settings.allocationBytes() + 64L * input.length;
        if (before >= 0 && allocated > allowed) {
            // refusing an absurd size is fine; allocating it first is not
            return new AllocationExceeded("allocated " + allocated + " bytes of heap for an input of " + input.length
                    + " bytes (limit " + allowed + "), then " + (error == null ? "parsed" : "threw " + error));
        }
        return error;
    }

    private void recordFailure(Map<String, String> failures, Throwable error, byte[] input, int i, boolean replaying)
            throws IOException {
        StackTraceElement[] frames = error.getStackTrace();
        String signature = error.getClass().getName() + (frames.length > 0 ? " at " + frames[0] : "");
        if (failures.containsKey(signature) || failures.size() >= MAX_SAVED_FAILURES) {
            return;
        }
        Files.createDirectories(FAILURES);
        Path saved = FAILURES.resolve(target + "-seed" + settings.seed() + "-try" + i + ".bin").toAbsolutePath();
        if (!replaying) {
            Files.write(saved, input);
        }
        StringBuilder text = new StringBuilder("try ").append(i).append(": ").append(error);
        for (int f = 0; f < Math.min(8, frames.length); f++) {
            text.append("\n    at ").append(frames[f]);
        }
        text.append("\n  input (").append(input.length).append(" bytes): ").append(preview(input));
        text.append(replaying ? "\n  replayed" : "\n  saved to " + saved + "\n  replay: -Dcalibra.fuzz.replay=" + saved);
        failures.put(signature, text.toString());
    }

    /** The first bytes as text, non-printable bytes escaped, so a failure message shows what went in. */
    static String preview(byte[] input) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < Math.min(160, input.length); i++) {
            int b = input[i] & 0xFF;
            out.append(b >= 0x20 && b < 0x7F && b != '\\' ? String.valueOf((char) b) : String.format("\\x%02x", b));
        }
        return out.append(input.length > 160 ? "..." : "").toString();
    }

    private static long allocatedBytes() {
        if (THREADS instanceof com.sun.management.ThreadMXBean threads
                && threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled()) {
            return threads.getCurrentThreadAllocatedBytes();
        }
        return -1;
    }

    private ExecutorService newWorker() {
        return Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "fuzz-" + target);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** The input took longer than the per-input limit; the stack, when known, is where it was stuck. */
    static final class Stall extends Exception {
        final boolean hang;

        Stall(String message, boolean hang, StackTraceElement[] stack) {
            super(message, null, false, true);
            this.hang = hang;
            setStackTrace(stack == null ? new StackTraceElement[0] : stack);
        }
    }

    /** The input made the code allocate more heap than its size can justify. */
    static final class AllocationExceeded extends Exception {
        AllocationExceeded(String message) {
            super(message);
        }
    }

    /** The message of the error names {@code what} (a file name, a field). */
    public static boolean names(Throwable error, String what) {
        return error.getMessage() != null && error.getMessage().contains(what);
    }
}

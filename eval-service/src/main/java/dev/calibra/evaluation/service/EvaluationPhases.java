package dev.calibra.evaluation.service;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Wall time per phase of one evaluation (registry calls, content checks, file reads, model and tokenizer
 * loads, encoding, forward passes): the DEBUG line after each evaluation and the numbers of
 * {@code EvalJobBenchmark}. Phases add up when timed more than once.
 */
public final class EvaluationPhases {

    /** Work that may throw, timed as one phase. */
    @FunctionalInterface
    public interface Work<T, E extends Exception> {
        T run() throws E;
    }

    private final Map<String, Long> nanos = new LinkedHashMap<>();

    public <T, E extends Exception> T time(String phase, Work<T, E> work) throws E {
        long start = System.nanoTime();
        try {
            return work.run();
        } finally {
            add(phase, System.nanoTime() - start);
        }
    }

    public synchronized void add(String phase, long elapsedNanos) {
        nanos.merge(phase, elapsedNanos, Long::sum);
    }

    /** Nanoseconds per phase, in the order the phases first ran. */
    public synchronized Map<String, Long> nanos() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(nanos));
    }

    /** Adds every phase of {@code other} to this one (the benchmark's totals over jobs). */
    public synchronized void addAll(EvaluationPhases other) {
        other.nanos().forEach(this::add);
    }

    @Override
    public synchronized String toString() {
        StringJoiner line = new StringJoiner(", ");
        nanos.forEach((phase, elapsed) -> line.add(String.format("%s %.1f ms", phase, elapsed / 1e6)));
        return line.toString();
    }
}

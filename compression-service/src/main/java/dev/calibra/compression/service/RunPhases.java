package dev.calibra.compression.service;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.calibra.compression.driver.SequentialDriver;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Wall seconds of one compression run's phases, in the order they ran: verify (hashing the model folder against
 * its record), load (the model's global tensors and each block's weights), capture (block forwards feeding the
 * statistics), statistics (Hessians), compress (the method's kernel), forward (block outputs with the compressed
 * weights), checkpoint (one file per block), write (the output folder), register. They go into the run's report
 * and its log line, so a benchmark can set each against its floor (BENCHMARKS.md, the 1B model).
 */
final class RunPhases {

    private final Map<String, Double> seconds = new LinkedHashMap<>();

    void add(String phase, double phaseSeconds) {
        seconds.merge(phase, phaseSeconds, Double::sum);
    }

    void addNanos(String phase, long nanos) {
        add(phase, nanos / 1e9);
    }

    /** The driver's phases; its block loads join {@code load}. */
    void addDriver(SequentialDriver.Timings timings) {
        add("load", timings.loadSeconds());
        add("capture", timings.captureSeconds());
        add("statistics", timings.statisticsSeconds());
        add("compress", timings.compressSeconds());
        add("forward", timings.forwardSeconds());
    }

    Map<String, Double> seconds() {
        return Map.copyOf(seconds);
    }

    void putInto(ObjectNode report) {
        ObjectNode phases = report.putObject("phase_seconds");
        seconds.forEach(phases::put);
    }

    /** "verify 1.20 s, load 3.40 s, ..." */
    @Override
    public String toString() {
        return seconds.entrySet().stream()
                .map(entry -> String.format(Locale.ROOT, "%s %.2f s", entry.getKey(), entry.getValue()))
                .collect(Collectors.joining(", "));
    }
}

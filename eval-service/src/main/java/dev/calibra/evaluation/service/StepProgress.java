package dev.calibra.evaluation.service;

import dev.calibra.proto.v1.Progress;
import java.util.function.Consumer;
import java.util.function.DoubleConsumer;

/** Turns one step's fraction into the whole evaluation's Progress (step k of n, each an equal share). */
final class StepProgress implements DoubleConsumer {

    private final Consumer<Progress> sink;
    private final int step;
    private final int steps;
    private final String label;
    private final long startNanos;

    StepProgress(Consumer<Progress> sink, int step, int steps, String label, long startNanos) {
        this.sink = sink;
        this.step = step;
        this.steps = steps;
        this.label = label;
        this.startNanos = startNanos;
        accept(0);
    }

    @Override
    public void accept(double fraction) {
        sink.accept(Progress.newBuilder().setFraction((step + fraction) / steps)
                .setMessage(String.format("%s %.0f%%", label, fraction * 100)).setStep(step + 1).setTotalSteps(steps)
                .setElapsedSeconds((System.nanoTime() - startNanos) / 1e9).build());
    }
}

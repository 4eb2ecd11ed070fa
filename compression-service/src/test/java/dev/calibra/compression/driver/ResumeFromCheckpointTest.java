package dev.calibra.compression.driver;

import dev.calibra.compression.spec.GptqSpec;
import dev.calibra.compression.spec.MethodSpec;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import dev.calibra.compression.output.BlockCheckpoint;
import dev.calibra.model.CausalLm;
import dev.calibra.model.ModelFolder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResumeFromCheckpointTest {

    private static final MethodSpec SPEC = GptqSpec.bits(4).withTrueSequential(true);

    /** A worker that dies right after checkpointing block {@code dieAfter}. */
    private static final class Crash extends RuntimeException {}

    private static List<LayerResult> run(Path checkpoints, int[][] samples, int dieAfter, ResumeState resume,
            List<float[]> finalWeights) throws IOException {
        try (ModelFolder folder = ModelFolder.open(TinyStoriesCalibration.stories260K());
                CausalLm model = folder.load(Device.cpu())) {
            List<LayerResult> results = new SequentialDriver(model, SPEC, new DriverListener() {
                @Override
                public void blockDone(int block, List<LayerResult> layers) throws IOException {
                    BlockCheckpoint.write(checkpoints.resolve(BlockCheckpoint.fileName(block)), layers);
                    if (block == dieAfter) {
                        throw new Crash();
                    }
                }
            }).run(samples, resume);
            try (var scratch = model.newManager()) {
                for (int block = 0; block < model.numLayers(); block++) {
                    for (String linear : model.linearNames()) {
                        finalWeights.add(model.linearWeight(block, linear, scratch).toFloatArray());
                    }
                }
            }
            return results;
        }
    }

    @Test
    void resumeAfterCrash_givesBitIdenticalWeightsToAnUninterruptedRun(@TempDir Path uninterrupted,
            @TempDir Path interrupted) throws IOException {
        int[][] samples = TinyStoriesCalibration.draw(16, 128, 1).samples();
        List<float[]> expected = new ArrayList<>();
        List<LayerResult> reference = run(uninterrupted, samples, -1, ResumeState.FRESH, expected);

        assertThrows(Crash.class, () -> run(interrupted, samples, 2, ResumeState.FRESH, new ArrayList<>()));
        List<LayerResult> done = new ArrayList<>();
        for (int block = 0; block <= 2; block++) {
            done.addAll(BlockCheckpoint.read(interrupted.resolve(BlockCheckpoint.fileName(block))));
        }
        List<float[]> resumedWeights = new ArrayList<>();
        List<LayerResult> resumed = run(interrupted, samples, -1, new ResumeState(3, done), resumedWeights);

        assertEquals(reference.size(), resumed.size());
        for (int k = 0; k < reference.size(); k++) {
            assertEquals(reference.get(k).linear(), resumed.get(k).linear());
            assertArrayEquals(reference.get(k).layer().weight(), resumed.get(k).layer().weight(),
                    "block " + reference.get(k).block() + " " + reference.get(k).linear());
            // the error statistic sums rows in parallel (DoubleAdder), so its last bits depend on thread timing
            assertEquals(reference.get(k).layer().relativeReconstructionError(),
                    resumed.get(k).layer().relativeReconstructionError(), 1e-12);
        }
        for (int k = 0; k < expected.size(); k++) {
            assertArrayEquals(expected.get(k), resumedWeights.get(k));
        }

        // as the service resumes: results without weights, each replayed block read back from its checkpoint
        List<float[]> lazilyResumedWeights = new ArrayList<>();
        run(interrupted, samples, -1, new ResumeState(3, done.stream().map(LayerResult::released).toList(),
                BlockCheckpoint.readingFrom(interrupted)), lazilyResumedWeights);
        for (int k = 0; k < expected.size(); k++) {
            assertArrayEquals(expected.get(k), lazilyResumedWeights.get(k));
        }
    }
}

package dev.calibra.compression.driver;

import dev.calibra.compression.method.AwqSettings;
import dev.calibra.compression.spec.AwqSpec;
import dev.calibra.compression.spec.GptqSpec;
import dev.calibra.compression.spec.RunSettings;
import dev.calibra.compression.spec.SpqrSpec;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

class ResumeFromCheckpointTest {

    private static MethodSpec spec(String method) {
        return switch (method) {
            case "spqr" -> SpqrSpec.readme();
            case "awq" -> new AwqSpec(new AwqSettings(4, 32, 20, true), new RunSettings(false, 8));
            default -> GptqSpec.bits(4).withTrueSequential(true);
        };
    }

    /** A worker that dies right after checkpointing block {@code dieAfter}. */
    private static final class Crash extends RuntimeException {}

    private static List<LayerResult> run(MethodSpec spec, Path checkpoints, int[][] samples, int dieAfter, ResumeState resume,
            List<float[]> finalWeights) throws IOException {
        try (ModelFolder folder = ModelFolder.open(TinyStoriesCalibration.stories260K());
                CausalLm model = folder.load(Device.cpu())) {
            List<LayerResult> results = new SequentialDriver(model, spec, new DriverListener() {
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

    /** AWQ replays a resumed block with its original weights (its next block reads the original output). */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"gptq", "spqr", "awq"})
    void resumeAfterCrash_givesBitIdenticalWeightsToAnUninterruptedRun(String method, @TempDir Path uninterrupted,
            @TempDir Path interrupted) throws IOException {
        MethodSpec spec = spec(method);
        int[][] samples = TinyStoriesCalibration.draw(16, 128, 1).samples();
        List<float[]> expected = new ArrayList<>();
        List<LayerResult> reference = run(spec, uninterrupted, samples, -1, ResumeState.FRESH, expected);

        assertThrows(Crash.class, () -> run(spec, interrupted, samples, 2, ResumeState.FRESH, new ArrayList<>()));
        List<LayerResult> done = new ArrayList<>();
        for (int block = 0; block <= 2; block++) {
            done.addAll(BlockCheckpoint.read(interrupted.resolve(BlockCheckpoint.fileName(block))));
        }
        List<float[]> resumedWeights = new ArrayList<>();
        List<LayerResult> resumed = run(spec, interrupted, samples, -1, new ResumeState(3, done), resumedWeights);

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
        run(spec, interrupted, samples, -1, new ResumeState(3, done.stream().map(LayerResult::released).toList(),
                BlockCheckpoint.readingFrom(interrupted)), lazilyResumedWeights);
        for (int k = 0; k < expected.size(); k++) {
            assertArrayEquals(expected.get(k), lazilyResumedWeights.get(k));
        }
    }
}

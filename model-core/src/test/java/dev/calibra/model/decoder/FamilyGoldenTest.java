package dev.calibra.model.decoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.calibra.model.CausalLm;
import dev.calibra.model.ModelFolder;
import dev.calibra.model.TestData;
import dev.calibra.model.generation.GenerationSettings;
import dev.calibra.model.generation.Generator;
import dev.calibra.model.safetensors.SafetensorsFile;
import dev.calibra.model.safetensors.SafetensorsWriter;
import dev.calibra.model.safetensors.TensorInfo;
import dev.calibra.model.scoring.Perplexity;
import dev.calibra.model.scoring.WindowConvention;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every family and rope type against the float64 reference of testvectors/families (a transcription of the
 * transformers source; see its README): the Java forward's logits on 64 tokens within 1e-4 relative, the same
 * greedy continuation with the KV cache, and the same perplexity within 1e-4 relative.
 */
class FamilyGoldenTest {

    private static final double MAX_RELATIVE_ERROR = 1e-4;

    static Stream<String> cases() throws IOException {
        try (Stream<Path> folders = Files.list(TestData.testVectors().resolve("families"))) {
            return folders.filter(Files::isDirectory).filter(folder -> !folder.getFileName().toString().equals("golden")).map(folder -> folder.getFileName().toString()).sorted().toList().stream();
        }
    }

    private record Golden(int[] inputIds, float[] logits, int[] greedy, double perplexity) {
        static Golden read(Path folder) throws IOException {
            try (SafetensorsFile file = SafetensorsFile.open(folder.resolveSibling("golden").resolve(folder.getFileName() + ".safetensors"))) {
                return new Golden(ints(file.readFloats("input_ids")), file.readFloats("logits_f64"), ints(file.readFloats("greedy")),
                        file.readFloats("perplexity")[0]);
            }
        }

        private static int[] ints(float[] values) {
            return Arrays.stream(toDoubles(values)).mapToInt(value -> (int) value).toArray();
        }

        private static double[] toDoubles(float[] values) {
            double[] out = new double[values.length];
            for (int i = 0; i < values.length; i++) {
                out[i] = values[i];
            }
            return out;
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void forwardGreedyAndPerplexity_matchTheFloat64Reference(String name) throws IOException {
        Path folderPath = TestData.testVectors().resolve("families").resolve(name);
        check(name, folderPath, Golden.read(folderPath));
    }

    /** facebook's original OPT checkpoints name tensors "decoder.*" (save_pretrained: "model.decoder.*"): the same model. */
    @Test
    void opt_originalTensorNames_loadAsTheSameModel(@TempDir Path copy) throws IOException {
        Path opt = TestData.testVectors().resolve("families").resolve("opt");
        SafetensorsWriter renamed = new SafetensorsWriter().metadata("format", "pt");
        try (SafetensorsFile file = SafetensorsFile.open(opt.resolve("model.safetensors"))) {
            for (String tensor : file.tensorNames()) {
                TensorInfo info = file.info(tensor);
                renamed.add(tensor.replaceFirst("^model\\.decoder\\.", "decoder."), info.dtype(), info.shape(), file.rawBytes(tensor));
            }
        }
        renamed.write(copy.resolve("model.safetensors"));
        for (String file : new String[] {"config.json", "tokenizer.json", "tokenizer_config.json"}) {
            Files.copy(opt.resolve(file), copy.resolve(file));
        }
        check("opt (decoder.* names)", copy, Golden.read(opt));
    }

    private static void check(String name, Path folderPath, Golden golden) throws IOException {
        try (ModelFolder folder = ModelFolder.open(folderPath); CausalLm model = folder.load(Device.cpu());
                NDManager manager = model.newManager()) {
            float[] logits = model.forward(manager.create(golden.inputIds(), new Shape(1, golden.inputIds().length))).toFloatArray();
            assertEquals(golden.logits().length, logits.length);
            double maxDiff = 0;
            double maxRef = 0;
            for (int i = 0; i < logits.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(logits[i] - golden.logits()[i]));
                maxRef = Math.max(maxRef, Math.abs(golden.logits()[i]));
            }
            System.out.printf("%s: max|diff| %.3g, max|ref| %.3g, relative %.3g%n", name, maxDiff, maxRef, maxDiff / maxRef);
            assertTrue(maxDiff / maxRef < MAX_RELATIVE_ERROR, name + ": logits relative error " + maxDiff / maxRef);

            // greedy with the KV cache, as generation runs; EOS is not a stop signal in the reference
            int[] prompt = Arrays.copyOf(golden.inputIds(), 8);
            int[] generated = new Generator(model).generate(prompt, GenerationSettings.greedy(golden.greedy().length),
                    java.util.List.of()).tokens();
            assertArrayEquals(golden.greedy(), generated, name + ": greedy continuation");

            int[] stream = Arrays.copyOfRange(golden.inputIds(), 1, golden.inputIds().length);
            double perplexity = new Perplexity(model, 1).evaluate(stream, golden.inputIds()[0], golden.inputIds().length,
                    WindowConvention.GPTQ, 0).perplexity();
            assertEquals(golden.perplexity(), perplexity, golden.perplexity() * MAX_RELATIVE_ERROR, name + ": perplexity");
        }
    }
}

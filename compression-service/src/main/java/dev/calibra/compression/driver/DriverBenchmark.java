package dev.calibra.compression.driver;

import dev.calibra.compression.spec.MagnitudeSpec;
import dev.calibra.compression.spec.WandaSpec;
import dev.calibra.compression.spec.SparseGptSpec;
import dev.calibra.compression.spec.RtnSpec;
import dev.calibra.compression.spec.GptqSpec;
import dev.calibra.compression.spec.MethodSpec;
import ai.djl.Device;
import dev.calibra.compression.method.SparsityPattern;
import dev.calibra.model.CausalLm;
import dev.calibra.model.Devices;
import dev.calibra.model.ModelFolder;
import dev.calibra.model.tokenizer.TextFiles;
import dev.calibra.model.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * Wall time of compressing a model with each method on n x seq TinyStories windows, split into capture,
 * compress and forward (see {@link SequentialDriver.Timings}); prints a markdown table.
 * Usage: {@code DriverBenchmark [model folder] [n_samples] [seq_len] [--gpu]}.
 */
public final class DriverBenchmark {

    private DriverBenchmark() {}

    /** {@code n} windows of {@code seq} tokens from the first half of TinyStories, with the model's tokenizer. */
    public static int[][] tinyStoriesWindows(Path modelFolder, Path shared, int n, int seq) throws IOException {
        int[][] samples = new int[n][];
        try (Tokenizer tokenizer = Tokenizer.open(modelFolder.resolve("tokenizer.json"))) {
            int[] stream = tokenizer.encode(TextFiles.read(shared.resolve("assets/corpora/tinystories_valid_first.txt")), false);
            Random random = new Random(0);
            for (int i = 0; i < n; i++) {
                int start = random.nextInt(stream.length / 2 - seq);
                samples[i] = Arrays.copyOfRange(stream, start, start + seq);
            }
        }
        return samples;
    }

    public static void main(String[] args) throws Exception {
        Path shared = Path.of(System.getProperty("calibra.root", "..")); // the repository root, with assets/
        Path folderPath = args.length > 0 && !args[0].startsWith("--") ? Path.of(args[0])
                : shared.resolve("assets/models/stories260K");
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int seq = args.length > 2 ? Integer.parseInt(args[2]) : 256;
        Device device = Devices.choose(Arrays.asList(args).contains("--gpu"));
        int[][] samples = tinyStoriesWindows(folderPath, shared, n, seq);
        Map<String, MethodSpec> specs = new LinkedHashMap<>();
        specs.put("magnitude 50%", MagnitudeSpec.of(new SparsityPattern.Unstructured(0.5)));
        specs.put("wanda 50%", WandaSpec.of(new SparsityPattern.Unstructured(0.5)));
        specs.put("sparsegpt 50%", SparseGptSpec.of(new SparsityPattern.Unstructured(0.5)));
        specs.put("rtn 4-bit", RtnSpec.bits(4));
        specs.put("gptq 4-bit", GptqSpec.bits(4));
        specs.put("gptq 4-bit true-seq", GptqSpec.bits(4).withTrueSequential(true));
        System.out.printf("%s, %d x %d tokens, %s, %d CPU threads%n%n", folderPath.getFileName(), n, seq, device,
                Runtime.getRuntime().availableProcessors());
        System.out.println("| method | wall s | capture s | compress s | forward s |");
        System.out.println("|---|---|---|---|---|");
        for (int round = 0; round < 2; round++) {               // round 0 warms up the JIT and the engine
            for (Map.Entry<String, MethodSpec> entry : specs.entrySet()) {
                try (ModelFolder folder = ModelFolder.open(folderPath); CausalLm model = folder.load(device)) {
                    SequentialDriver driver = new SequentialDriver(model, entry.getValue(), new DriverListener() {});
                    long start = System.nanoTime();
                    driver.run(samples, ResumeState.FRESH);
                    double wall = (System.nanoTime() - start) / 1e9;
                    SequentialDriver.Timings t = driver.timings();
                    if (round == 1 || System.getProperty("bench.all") != null) {
                        System.out.printf("| %s | %.2f | %.2f | %.2f | %.2f |%n", entry.getKey(), wall,
                                t.captureSeconds() + t.statisticsSeconds(), t.compressSeconds(), t.forwardSeconds());
                    }
                }
            }
        }
    }
}

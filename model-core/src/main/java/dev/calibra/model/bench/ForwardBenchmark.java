package dev.calibra.model.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.calibra.model.CausalLm;
import dev.calibra.model.Devices;
import dev.calibra.model.LinearHook;
import dev.calibra.model.ModelFolder;
import dev.calibra.model.config.LlamaConfig;
import dev.calibra.model.llama.LlamaModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Forward throughput next to the machine's float32 matmul ceiling. Prints a markdown table.
 * Usage: {@code ForwardBenchmark [stories260K folder] [--gpu]} (see model-core/README.md).
 */
public final class ForwardBenchmark {

    private record Row(String workload, String shape, double seconds, double tokens, double flops) {}

    private static final double MIN_SECONDS = 3.0;

    private ForwardBenchmark() {}

    public static void main(String[] args) throws IOException {
        boolean gpu = java.util.Arrays.asList(args).contains("--gpu");
        Path stories = args.length > 0 && !args[0].startsWith("--") ? Path.of(args[0]) : defaultStories();
        Device device = Devices.choose(gpu);
        double ceiling = matMulFlopsPerSecond(device, 2048);
        Row storiesRow = stories(stories, device, 16, 256);
        Row blockRow = syntheticBlock(device, 8, 512);

        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "Device: %s, engine %s %s, %d intra-op threads%n%n", device,
                Engine.getInstance().getEngineName(), Engine.getInstance().getVersion(),
                Runtime.getRuntime().availableProcessors()));
        out.append("| workload | shape | time per forward (ms) | tokens/s | GFLOP/s | matmul ceiling GFLOP/s | achieved/ceiling | time / matmul floor |\n");
        out.append("|---|---|---:|---:|---:|---:|---:|---:|\n");
        out.append(String.format(Locale.ROOT, "| float32 matMul | 2048x2048 @ 2048x2048 | %.1f | - | %.1f | %.1f | 1.00 | 1.00 |%n",
                2.0 * 2048 * 2048 * 2048 / ceiling * 1e3, ceiling / 1e9, ceiling / 1e9));
        for (Row row : new Row[] {storiesRow, blockRow}) {
            double achieved = row.flops() / row.seconds();
            out.append(String.format(Locale.ROOT, "| %s | %s | %.1f | %.0f | %.1f | %.1f | %.2f | %.2fx |%n",
                    row.workload(), row.shape(), row.seconds() * 1e3, row.tokens() / row.seconds(), achieved / 1e9,
                    ceiling / 1e9, achieved / ceiling, row.seconds() / (row.flops() / ceiling)));
        }
        System.out.print(out);
    }

    /** Under -Dcalibra.root (the repository root), else the checkout, run from the root or from model-core. */
    private static Path defaultStories() {
        String configured = System.getProperty("calibra.root");
        for (String root : configured != null ? new String[] {configured} : new String[] {".", ".."}) {
            Path candidate = Path.of(root, "assets/models/stories260K");
            if (java.nio.file.Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalArgumentException("stories260K not found: pass its folder or set -Dcalibra.root");
    }

    /** Float32 GFLOP/s of an n x n DJL matMul (2 n^3 flops), averaged over at least MIN_SECONDS. */
    static double matMulFlopsPerSecond(Device device, int n) {
        try (NDManager manager = NDManager.newBaseManager(device)) {
            NDArray a = manager.randomUniform(-1, 1, new Shape(n, n), DataType.FLOAT32);
            NDArray b = manager.randomUniform(-1, 1, new Shape(n, n), DataType.FLOAT32);
            double seconds = timePerCall(() -> {
                try (NDManager scope = manager.newSubManager()) {
                    a.tempAttach(scope);
                    sync(a.matMul(b));
                }
            });
            return 2.0 * n * n * n / seconds;
        }
    }

    private static Row stories(Path folderPath, Device device, int batch, int seq) throws IOException {
        try (ModelFolder folder = ModelFolder.open(folderPath); CausalLm model = folder.load(device);
                NDManager manager = model.newManager()) {
            LlamaConfig c = (LlamaConfig) model.config();
            NDArray ids = manager.randomInteger(3, c.vocabSize(), new Shape(batch, seq), DataType.INT32);
            double seconds = timePerCall(() -> sync(model.forward(ids)));
            double tokens = (double) batch * seq;
            double flops = c.numHiddenLayers() * blockFlops(c, batch, seq) + 2.0 * tokens * c.hiddenSize() * c.vocabSize();
            return new Row("stories260K forward (5 blocks + lm_head)", batch + " x " + seq, seconds, tokens, flops);
        }
    }

    private static Row syntheticBlock(Device device, int batch, int seq) {
        LlamaConfig c = LlamaConfig.synthetic(2048, 5504, 1, 16, 16, 512);
        try (LlamaModel model = LlamaModel.random(c, device, 42); NDManager manager = model.newManager()) {
            NDArray hidden = manager.randomNormal(0, 1, new Shape(batch, seq, c.hiddenSize()), DataType.FLOAT32);
            double seconds = timePerCall(() -> sync(model.block(0, hidden, LinearHook.NONE)));
            return new Row("Llama block h2048 i5504 16 heads (random weights)", batch + " x " + seq, seconds,
                    (double) batch * seq, blockFlops(c, batch, seq));
        }
    }

    /** 2 * tokens * (q,k,v,o + gate,up,down weights) + 2 * 2 * batch * heads * seq^2 * head_dim (QK^T and PV). */
    static double blockFlops(LlamaConfig c, int batch, int seq) {
        double tokens = (double) batch * seq;
        double h = c.hiddenSize();
        double qo = 2.0 * h * c.numAttentionHeads() * c.headDim();
        double kv = 2.0 * h * c.numKeyValueHeads() * c.headDim();
        double mlp = 3.0 * h * c.intermediateSize();
        double attention = 2.0 * 2.0 * batch * c.numAttentionHeads() * (double) seq * seq * c.headDim();
        return 2.0 * tokens * (qo + kv + mlp) + attention;
    }

    /** Waits for a (possibly asynchronous, on GPU) result by reading one element, then frees it. */
    private static void sync(NDArray result) {
        try (NDManager scope = result.getManager().newSubManager()) {
            result.tempAttach(scope);
            result.get(new ai.djl.ndarray.index.NDIndex().addIndices(0)).flatten().get(0).toFloatArray();
        }
        result.close();
    }

    /** Seconds per call after two warm-up calls, averaged over at least MIN_SECONDS and 3 calls. */
    private static double timePerCall(Runnable call) {
        call.run();
        call.run();
        int calls = 0;
        long start = System.nanoTime();
        double elapsed;
        do {
            call.run();
            calls++;
            elapsed = (System.nanoTime() - start) / 1e9;
        } while (elapsed < MIN_SECONDS || calls < 3);
        return elapsed / calls;
    }
}

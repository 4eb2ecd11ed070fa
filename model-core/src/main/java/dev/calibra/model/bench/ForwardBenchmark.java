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
import dev.calibra.model.config.ModelConfig;
import dev.calibra.model.config.ModelConfigs;
import dev.calibra.model.decoder.DecoderModel;
import dev.calibra.model.decoder.DecoderSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Forward throughput next to the machine's float32 matmul ceiling: stories260K whole, and one block of each
 * family at about 1B-parameter-model widths (random weights, configs with the family's real fields, parsed by
 * the family as a checkpoint's would be). Prints a markdown table.
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
        List<Row> rows = new ArrayList<>();
        rows.add(stories(stories, device, 16, 256));
        for (String[] family : BLOCKS_1B) {
            rows.add(syntheticBlock(family[0], family[1], device, 8, 512));
        }

        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "Device: %s, engine %s %s, %d intra-op threads%n%n", device,
                Engine.getInstance().getEngineName(), Engine.getInstance().getVersion(),
                Runtime.getRuntime().availableProcessors()));
        out.append("| workload | shape | time per forward (ms) | tokens/s | GFLOP/s | matmul ceiling GFLOP/s | achieved/ceiling | time / matmul floor |\n");
        out.append("|---|---|---:|---:|---:|---:|---:|---:|\n");
        out.append(String.format(Locale.ROOT, "| float32 matMul | 2048x2048 @ 2048x2048 | %.1f | - | %.1f | %.1f | 1.00 | 1.00 |%n",
                2.0 * 2048 * 2048 * 2048 / ceiling * 1e3, ceiling / 1e9, ceiling / 1e9));
        for (Row row : rows) {
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
            DecoderSpec c = model.config().decoder();
            NDArray ids = manager.randomInteger(3, c.dims().vocab(), new Shape(batch, seq), DataType.INT32);
            double seconds = timePerCall(() -> sync(model.forward(ids)));
            double tokens = (double) batch * seq;
            double flops = c.dims().layers() * blockFlops(c, batch, seq) + 2.0 * tokens * c.dims().hidden() * c.dims().vocab();
            return new Row("stories260K forward (5 blocks + lm_head)", batch + " x " + seq, seconds, tokens, flops);
        }
    }

    /** One block per family at 1B-model widths (Llama 3.2 1B, Qwen3 1.7B, Gemma 2/3 1B-2B, Phi-4-mini, OPT-1.3B). */
    static final String[][] BLOCKS_1B = {
        {"Llama 3.2 1B block", "{\"architectures\":[\"LlamaForCausalLM\"],\"hidden_size\":2048,\"intermediate_size\":8192,"
            + "\"num_attention_heads\":32,\"num_key_value_heads\":8,\"rope_theta\":500000.0,\"rope_scaling\":{\"rope_type\":"
            + "\"llama3\",\"factor\":32.0,\"low_freq_factor\":1.0,\"high_freq_factor\":4.0,"
            + "\"original_max_position_embeddings\":8192}"},
        {"Qwen3 1.7B block", "{\"architectures\":[\"Qwen3ForCausalLM\"],\"hidden_size\":2048,\"intermediate_size\":6144,"
            + "\"num_attention_heads\":16,\"num_key_value_heads\":8,\"head_dim\":128,\"rope_theta\":1000000.0"},
        {"Gemma 2 2B block", "{\"architectures\":[\"Gemma2ForCausalLM\"],\"hidden_size\":2304,\"intermediate_size\":9216,"
            + "\"num_attention_heads\":8,\"num_key_value_heads\":4,\"head_dim\":256,\"query_pre_attn_scalar\":256"},
        {"Gemma 3 1B block (global)", "{\"architectures\":[\"Gemma3ForCausalLM\"],\"hidden_size\":1152,"
            + "\"intermediate_size\":6912,\"num_attention_heads\":4,\"num_key_value_heads\":1,\"head_dim\":256,"
            + "\"sliding_window\":512,\"sliding_window_pattern\":1"},
        {"Phi-4-mini block", "{\"architectures\":[\"Phi3ForCausalLM\"],\"hidden_size\":3072,\"intermediate_size\":8192,"
            + "\"num_attention_heads\":24,\"num_key_value_heads\":8,\"partial_rotary_factor\":0.75"},
        {"OPT-1.3B block", "{\"architectures\":[\"OPTForCausalLM\"],\"hidden_size\":2048,\"ffn_dim\":8192,"
            + "\"num_attention_heads\":32"},
    };

    private static Row syntheticBlock(String label, String configStart, Device device, int batch, int seq) {
        String json = configStart + ",\"num_hidden_layers\":1,\"vocab_size\":512,\"max_position_embeddings\":4096}";
        ModelConfig config;
        try {
            config = ModelConfigs.parse(new com.fasterxml.jackson.databind.ObjectMapper().readTree(json), label);
        } catch (IOException e) {
            throw new IllegalStateException(label + ": " + e.getMessage(), e);
        }
        DecoderSpec c = config.decoder();
        try (DecoderModel model = DecoderModel.random(config, device, 42); NDManager manager = model.newManager()) {
            NDArray hidden = manager.randomNormal(0, 1, new Shape(batch, seq, c.dims().hidden()), DataType.FLOAT32);
            double seconds = timePerCall(() -> sync(model.block(0, hidden, LinearHook.NONE)));
            return new Row(label + " (random weights)", batch + " x " + seq, seconds, (double) batch * seq,
                    blockFlops(c, batch, seq));
        }
    }

    /** 2 * tokens * (the block's linear weights) + 2 * 2 * batch * heads * seq^2 * head_dim (QK^T and PV). */
    static double blockFlops(DecoderSpec c, int batch, int seq) {
        double tokens = (double) batch * seq;
        double attention = 2.0 * 2.0 * batch * c.dims().heads() * (double) seq * seq * c.dims().headDim();
        return 2.0 * tokens * c.linearParameters() + attention;
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

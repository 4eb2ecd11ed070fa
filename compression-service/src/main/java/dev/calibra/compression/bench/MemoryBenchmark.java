package dev.calibra.compression.bench;

import dev.calibra.compression.spec.GptqSpec;
import dev.calibra.compression.spec.MethodSpec;
import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.calibra.compression.driver.DriverBenchmark;
import dev.calibra.compression.driver.DriverListener;
import dev.calibra.compression.driver.LayerResult;
import dev.calibra.compression.driver.MemoryEstimate;
import dev.calibra.compression.driver.ResumeState;
import dev.calibra.compression.driver.SequentialDriver;
import dev.calibra.compression.output.BlockCheckpoint;
import dev.calibra.compression.output.CompressedModelWriter;
import dev.calibra.compression.output.StorageFormat;
import dev.calibra.model.CausalLm;
import dev.calibra.model.ModelFolder;
import dev.calibra.model.safetensors.Dtype;
import dev.calibra.model.safetensors.SafetensorsWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Peak memory of a GPTQ run on a model with Llama-2-7B's layer shapes (hidden 4096, MLP 11008, 32 heads),
 * fp16 weights and fewer layers: the process's peak anonymous memory against the checkpoint's size and
 * {@link MemoryEstimate}, and after each block. Runs with 2 and 8 layers show whether memory grows with the
 * model (it must not: blocks are loaded one at a time from the memory-mapped checkpoint).
 *
 * <p>{@code MemoryBenchmark write FOLDER LAYERS} writes the synthetic model (random weights, stories260K's
 * tokenizer and its 512-token vocabulary, so TinyStories text calibrates it);
 * {@code MemoryBenchmark run FOLDER [n_samples] [seq_len]} compresses it with GPTQ 4-bit as the service does
 * (a checkpoint per block, weights released, the output written from the checkpoints) and prints the row;
 * {@code MemoryBenchmark estimate FOLDER n_samples seq_len} prints {@link MemoryEstimate} alone.
 */
public final class MemoryBenchmark {

    private static final int HIDDEN = 4096;
    private static final int INTERMEDIATE = 11008;
    private static final int HEADS = 32;
    private static final int VOCAB = 512;

    private MemoryBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path shared = Path.of(System.getProperty("calibra.root", ".")); // the repository root, with assets/
        Path folder = Path.of(args[1]);
        if (args[0].equals("write")) {
            write(folder, Integer.parseInt(args[2]), shared.resolve("assets/models/stories260K"));
        } else if (args[0].equals("estimate")) {
            try (ModelFolder model = ModelFolder.open(folder)) {
                MemoryEstimate estimate = MemoryEstimate.of(model.config().decoder(),
                        Integer.parseInt(args[2]), Integer.parseInt(args[3]), GptqSpec.bits(4));
                System.out.println(estimate + " = " + gib(estimate.totalBytes()));
            }
        } else {
            run(folder, args.length > 2 ? Integer.parseInt(args[2]) : 16, args.length > 3 ? Integer.parseInt(args[3]) : 256,
                    shared);
        }
    }

    static void write(Path folder, int layers, Path tokenizerSource) throws IOException {
        Files.createDirectories(folder);
        ObjectNode config = new ObjectMapper().createObjectNode();
        config.putArray("architectures").add("LlamaForCausalLM");
        config.put("model_type", "llama").put("hidden_size", HIDDEN).put("intermediate_size", INTERMEDIATE)
                .put("num_hidden_layers", layers).put("num_attention_heads", HEADS).put("num_key_value_heads", HEADS)
                .put("head_dim", HIDDEN / HEADS).put("vocab_size", VOCAB).put("max_position_embeddings", 4096)
                .put("rms_norm_eps", 1e-5).put("rope_theta", 10000.0).put("hidden_act", "silu").put("bos_token_id", 1)
                .put("eos_token_id", 2).put("tie_word_embeddings", false).put("torch_dtype", "float16");
        Files.writeString(folder.resolve("config.json"), config.toPrettyString());
        for (String file : new String[] {"tokenizer.json", "tokenizer_config.json"}) {
            Files.copy(tokenizerSource.resolve(file), folder.resolve(file), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        Random random = new Random(7);
        SafetensorsWriter writer = new SafetensorsWriter();
        writer.addHalf("model.embed_tokens.weight", Dtype.F16, new long[] {VOCAB, HIDDEN}, gaussian(VOCAB * HIDDEN, random));
        writer.addHalf("lm_head.weight", Dtype.F16, new long[] {VOCAB, HIDDEN}, gaussian(VOCAB * HIDDEN, random));
        writer.addHalf("model.norm.weight", Dtype.F16, new long[] {HIDDEN}, ones(HIDDEN));
        for (int layer = 0; layer < layers; layer++) {
            String p = "model.layers." + layer + ".";
            for (String name : new String[] {"q_proj", "k_proj", "v_proj", "o_proj"}) {
                writer.addHalf(p + "self_attn." + name + ".weight", Dtype.F16, new long[] {HIDDEN, HIDDEN},
                        gaussian(HIDDEN * HIDDEN, random));
            }
            writer.addHalf(p + "mlp.gate_proj.weight", Dtype.F16, new long[] {INTERMEDIATE, HIDDEN},
                    gaussian(INTERMEDIATE * HIDDEN, random));
            writer.addHalf(p + "mlp.up_proj.weight", Dtype.F16, new long[] {INTERMEDIATE, HIDDEN},
                    gaussian(INTERMEDIATE * HIDDEN, random));
            writer.addHalf(p + "mlp.down_proj.weight", Dtype.F16, new long[] {HIDDEN, INTERMEDIATE},
                    gaussian(INTERMEDIATE * HIDDEN, random));
            writer.addHalf(p + "input_layernorm.weight", Dtype.F16, new long[] {HIDDEN}, ones(HIDDEN));
            writer.addHalf(p + "post_attention_layernorm.weight", Dtype.F16, new long[] {HIDDEN}, ones(HIDDEN));
        }
        writer.write(folder.resolve("model.safetensors"));
    }

    static void run(Path folderPath, int n, int seq, Path shared) throws IOException {
        int[][] samples = DriverBenchmark.tinyStoriesWindows(folderPath, shared, n, seq);
        MethodSpec spec = GptqSpec.bits(4);
        long checkpointBytes;
        try (Stream<Path> files = Files.list(folderPath)) {
            checkpointBytes = files.filter(f -> f.toString().endsWith(".safetensors")).mapToLong(f -> f.toFile().length()).sum();
        }
        long start = System.nanoTime();
        MemoryEstimate estimate;
        int layers;
        Path work = Files.createTempDirectory("calibra-memory");
        AnonymousPeak peak = AnonymousPeak.start();
        try (ModelFolder folder = ModelFolder.open(folderPath); CausalLm model = folder.load(Device.cpu())) {
            estimate = MemoryEstimate.of(folder.config().decoder(), n, seq, spec);
            layers = model.numLayers();
            // as CompressionService runs it: a checkpoint per block, weights released, output written from them
            DriverListener checkpoints = BlockCheckpoint.writingTo(work);
            List<LayerResult> results = new SequentialDriver(model, spec, new DriverListener() {
                @Override
                public void blockDone(int block, List<LayerResult> done) throws IOException {
                    checkpoints.blockDone(block, done);
                    System.out.printf("block %d done at %.0f s: anonymous memory peak so far %s, now %s (heap committed %s)%n",
                            block, (System.nanoTime() - start) / 1e9, gib(peak.bytes()), gib(rssAnonBytes()),
                            gib(Runtime.getRuntime().totalMemory()));
                }

                @Override
                public boolean keepsWeights() {
                    return checkpoints.keepsWeights();
                }
            }).run(samples, ResumeState.FRESH);
            Path out = Files.createDirectories(work.resolve("out"));
            CompressedModelWriter.write(folder, spec, results, BlockCheckpoint.readingFrom(work), StorageFormat.AUTO,
                    new ObjectMapper().createObjectNode(), out);
        } finally {
            peak.stop();
            try (Stream<Path> files = Files.walk(work)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.println("| layers | checkpoint (fp16) | calibration tokens | MemoryEstimate | peak anonymous | peak RSS | max heap | wall s |");
        System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|");
        System.out.printf("| %d | %s | %d x %d | %s | %s | %s | %s | %.0f |%n", layers, gib(checkpointBytes), n, seq,
                gib(estimate.totalBytes()), gib(peak.bytes()), gib(statusBytes("VmHWM:")),
                gib(Runtime.getRuntime().maxMemory()), seconds);
    }

    /**
     * The most anonymous memory (heap, native tensors, malloc) the process held, sampled every 50 ms: unlike
     * VmHWM it leaves out the checkpoint's mapped pages, which the kernel can drop at will.
     */
    private static final class AnonymousPeak implements Runnable {
        private final Thread thread = new Thread(this, "anonymous-memory-sampler");
        private volatile boolean running = true;
        private volatile long peak;

        static AnonymousPeak start() {
            AnonymousPeak sampler = new AnonymousPeak();
            sampler.thread.setDaemon(true);
            sampler.thread.start();
            return sampler;
        }

        @Override
        public void run() {
            while (running) {
                peak = Math.max(peak, rssAnonBytes());
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        long bytes() {
            return Math.max(peak, rssAnonBytes());
        }

        void stop() {
            peak = bytes();
            running = false;
        }
    }

    static long rssAnonBytes() {
        return statusBytes("RssAnon:");
    }

    /** A kB field of /proc/self/status, in bytes. */
    static long statusBytes(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return -1;
    }

    private static String gib(long bytes) {
        return String.format("%.2f GiB", bytes / (1024.0 * 1024 * 1024));
    }

    private static float[] gaussian(int count, Random random) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (float) random.nextGaussian() * 0.02f;
        }
        return values;
    }

    private static float[] ones(int count) {
        float[] values = new float[count];
        Arrays.fill(values, 1f);
        return values;
    }
}

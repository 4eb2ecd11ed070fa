package dev.calibra.compression.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.calibra.compression.method.AwqLinear;
import dev.calibra.compression.method.AwqSettings;
import dev.calibra.compression.method.CompressedLayer;
import dev.calibra.compression.method.GptqCompressor;
import dev.calibra.compression.method.GptqSettings;
import dev.calibra.compression.method.LayerCompressor;
import dev.calibra.compression.method.RtnQuantizer;
import dev.calibra.compression.method.RtnSettings;
import dev.calibra.compression.method.SparseGptCompressor;
import dev.calibra.compression.method.SparseGptSettings;
import dev.calibra.compression.method.SparsityPattern;
import dev.calibra.compression.method.SpqrCompressor;
import dev.calibra.compression.method.SpqrSettings;
import dev.calibra.compression.method.WandaPruner;
import dev.calibra.compression.method.WandaSettings;
import dev.calibra.model.linalg.JavaLinalg;
import dev.calibra.model.linalg.LapackLinalg;
import dev.calibra.model.linalg.Linalg;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Times the compression kernels on one linear layer of {@code columns x columns} with
 * {@code sequences x tokens} synthetic calibration tokens and prints a markdown table.
 *
 * <p>Arguments (all optional): {@code columns sequences tokensPerSequence skipJavaCholesky}, default
 * {@code 4096 32 2048 false}. Synthetic data: inputs Gaussian with a per-feature scale drawn from
 * [0.1, 3] (so diag(H) spreads like real activations), weights Gaussian * 0.02. Every method is first
 * run on a small layer so the Java kernels are JIT-compiled before the timed runs.
 */
public final class KernelBenchmark {

    /** Timed compress calls per method; the best is reported (the machine's other tenants add noise). */
    private static final int REPEATS = 3;

    private record Row(String kernel, double seconds, String note) {
    }

    private KernelBenchmark() {
    }

    public static void main(String[] args) {
        int columns = args.length > 0 ? Integer.parseInt(args[0]) : 4096;
        int sequences = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        int tokens = args.length > 2 ? Integer.parseInt(args[2]) : 2048;
        boolean skipJavaCholesky = args.length > 3 && Boolean.parseBoolean(args[3]);
        int rows = columns;
        Engine.getEngine("PyTorch");
        List<Row> table = new ArrayList<>();
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray featureScale = manager.randomUniform(0.1f, 3f, new Shape(columns));
            Supplier<NDArray> batch = () -> manager.randomNormal(new Shape(1, tokens, columns)).muli(featureScale);
            float[] weight = gaussian(rows * columns, 0.02f, 7);
            NDArray weightArray = manager.create(weight, new Shape(rows, columns));

            warmUp(manager);

            // matmul floor: X^T X of one batch at the rate MKL reaches here
            double gflops = measureGramRate(manager, batch, columns, tokens);
            double hessianFlops = 2.0 * sequences * tokens * (double) columns * columns;
            table.add(new Row("sgemm X^T X [" + tokens + "x" + columns + "]", 2.0 * tokens * columns * columns / gflops / 1e9,
                    String.format("%.1f GFLOP/s", gflops)));

            // Hessian accumulation (through GptqCompressor.addBatch); compress consumes it, so each repeat
            // accumulates again and both are best of REPEATS
            Timed gptq = timeMethod("GPTQ 4-bit g128 compress", () -> new GptqCompressor(GptqSettings.defaults()),
                    batch, sequences, weight, weightArray, rows, columns);
            double hessianSeconds = gptq.statisticSeconds();
            table.add(new Row("Hessian accumulation " + sequences + "x" + tokens + " tokens", hessianSeconds,
                    String.format("best of %d; floor %.2f s (2nd^2 at %.0f GFLOP/s) -> %.2fx floor; %.0f GFLOP/s", REPEATS,
                            hessianFlops / gflops / 1e9, gflops, hessianSeconds / (hessianFlops / gflops / 1e9),
                            hessianFlops / hessianSeconds / 1e9)));
            table.add(gptq.compress());
            table.add(timeMethod("SparseGPT 50% compress", () -> new SparseGptCompressor(
                    SparseGptSettings.of(new SparsityPattern.Unstructured(0.5))), batch, sequences, weight, weightArray, rows, columns)
                    .compress());
            Timed wanda = timeMethod("Wanda 50% compress", () -> new WandaPruner(
                    new WandaSettings(new SparsityPattern.Unstructured(0.5), false)), batch, sequences, weight,
                    weightArray, rows, columns);
            table.add(new Row("Wanda scaler_row accumulation", wanda.statisticSeconds(), "sum of x^2 per feature"));
            table.add(wanda.compress());

            // SpQR's statistic is GPTQ's Hessian (timed above); its compress is the README recipe
            table.add(timeMethod("SpQR 3-bit g16, qq 3-bit g16, outliers 0.2 (README recipe) compress",
                    () -> new SpqrCompressor(SpqrSettings.readme()), batch, sequences, weight, weightArray, rows, columns).compress());
            table.add(timeAwq(manager, batch, sequences, tokens, weight, rows, columns));

            // RTN itself is a few tens of milliseconds: its row is the direct error route (two grams, as for
            // Wanda and magnitude with a Hessian); GPTQ and SparseGPT need one gram (ReconstructionError)
            Row rtnRow = timeMethod("RTN 4-bit g128 compress", () -> new RtnQuantizer(new RtnSettings(4, 128, false, true)),
                    batch, 2, weight, weightArray, rows, columns).compress();
            table.add(new Row(rtnRow.kernel(), rtnRow.seconds(), rtnRow.note()
                    + "; nearly all of it the direct error check (two grams)"));

            float[] spd = spdMatrix(manager, columns);
            Linalg lapack = LapackLinalg.fromLoadedLibtorch().orElseThrow();
            table.add(timeCholesky(lapack, spd, columns, false));
            table.add(timeCholesky(lapack, spd, columns, true));
            if (!skipJavaCholesky) {
                Linalg java = new JavaLinalg();
                table.add(timeCholesky(java, spd, columns, false));
                table.add(timeCholesky(java, spd, columns, true));
            }
        }
        System.out.printf("%n%d x %d layer, %d x %d calibration tokens, %d cores%n%n", rows, columns, sequences, tokens,
                Runtime.getRuntime().availableProcessors());
        System.out.println("| Kernel | Seconds | Note |");
        System.out.println("|---|---:|---|");
        for (Row row : table) {
            System.out.printf("| %s | %.3f | %s |%n", row.kernel(), row.seconds(), row.note());
        }
    }

    /**
     * AWQ 4-bit g128 on the linear as its own scaling group (as for o_proj and down_proj): the scale search's twenty
     * candidates on the linear's output error, the clip search, the quantization and the error. The inputs are whole
     * (AWQ keeps them; making them is not timed). One run: it takes tens of seconds.
     */
    private static Row timeAwq(NDManager manager, Supplier<NDArray> batch, int sequences, int tokens, float[] weight, int rows,
            int columns) {
        try (NDManager scope = manager.newSubManager()) {
            NDList parts = new NDList();
            for (int s = 0; s < sequences; s++) {
                NDArray part = batch.get().reshape(tokens, columns);
                part.attach(scope);
                parts.add(part);
            }
            NDArray x = NDArrays.concat(parts, 0);
            x.attach(scope);
            x.getFloat(0, 0);
            long start = System.nanoTime();
            AwqLinear.Outcome outcome = AwqLinear.compress(weight, rows, columns, x, AwqSettings.defaults(4));
            double elapsed = seconds(start);
            return new Row("AWQ 4-bit g128 compress (scale search, clip search, quantize)", elapsed, String.format(
                    "one run; alpha %.2f, %d of %d groups clipped; relative output error %.4f", outcome.scales().alpha(),
                    outcome.layer().clippedGroups(), rows * outcome.layer().groups(), outcome.layer().relativeReconstructionError()));
        }
    }

    /** Compiles the Java kernels (JIT) on a small layer so the timed runs measure steady state. */
    private static void warmUp(NDManager manager) {
        int columns = 512;
        float[] weight = gaussian(columns * columns, 0.02f, 3);
        for (int round = 0; round < 3; round++) {
            List<LayerCompressor> methods = List.of(
                    new GptqCompressor(GptqSettings.defaults()),
                    new SparseGptCompressor(SparseGptSettings.of(new SparsityPattern.Unstructured(0.5))),
                    new WandaPruner(new WandaSettings(new SparsityPattern.Unstructured(0.5), false)),
                    new RtnQuantizer(new RtnSettings(4, 128, false, true)),
                    new SpqrCompressor(SpqrSettings.readme()));
            for (LayerCompressor method : methods) {
                try (NDManager scope = manager.newSubManager(); method) {
                    method.addBatch(scope.randomNormal(new Shape(2, 256, columns)));
                    method.compress(weight, columns, columns);
                }
            }
            try (NDManager scope = manager.newSubManager()) {
                AwqLinear.compress(weight, columns, columns, scope.randomNormal(new Shape(1024, columns)), AwqSettings.defaults(4));
            }
        }
    }

    private static double measureGramRate(NDManager manager, Supplier<NDArray> batch, int columns, int tokens) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = batch.get().reshape(tokens, columns);
            x.attach(scope);
            x.transpose().matMul(x).getFloat(0, 0);               // warm-up
            int repeats = 3;
            long start = System.nanoTime();
            for (int k = 0; k < repeats; k++) {
                x.transpose().matMul(x).getFloat(0, 0);
            }
            return repeats * 2.0 * tokens * columns * (double) columns / seconds(start) / 1e9;
        }
    }

    /**
     * Feeds {@code sequences} batches and their outputs X W^T as the driver's capture forward does; the forward's
     * matmul is not timed (the model computes it anyway), the statistics are.
     */
    private static double timeBatches(LayerCompressor compressor, Supplier<NDArray> batch, int sequences,
            NDArray weight) {
        double total = 0;
        for (int s = 0; s < sequences; s++) {
            try (NDManager scope = batchManager()) {
                NDArray inputs = batch.get();
                inputs.attach(scope);
                NDArray outputs = inputs.reshape(-1, inputs.getShape().tail()).matMul(weight.transpose());
                outputs.attach(scope);
                outputs.getFloat(0, 0);                        // computed before the clock starts
                long start = System.nanoTime();
                compressor.addBatch(inputs);
                compressor.addOutputs(outputs);
                total += seconds(start);
            }
        }
        return total;
    }

    private static NDManager batchManager() {
        return NDManager.newBaseManager();
    }

    private record Timed(double statisticSeconds, Row compress) {
    }

    /**
     * Best of {@link #REPEATS} fresh compressors, each accumulating its statistic from {@code sequences} batches
     * and compressing once (compress consumes the statistic, as in the service).
     */
    private static Timed timeMethod(String name, Supplier<LayerCompressor> method, Supplier<NDArray> batch,
            int sequences, float[] weight, NDArray weightArray, int rows, int columns) {
        double bestStatistic = Double.POSITIVE_INFINITY;
        double bestCompress = Double.POSITIVE_INFINITY;
        CompressedLayer result = null;
        for (int k = 0; k < REPEATS; k++) {
            try (LayerCompressor compressor = method.get()) {
                bestStatistic = Math.min(bestStatistic, timeBatches(compressor, batch, sequences, weightArray));
                long start = System.nanoTime();
                result = compressor.compress(weight, rows, columns);
                bestCompress = Math.min(bestCompress, seconds(start));
            }
        }
        double error = result.relativeReconstructionError();
        return new Timed(bestStatistic, new Row(name, bestCompress, Double.isNaN(error) ? "best of " + REPEATS
                + "; output error not measured (off for this method here)"
                : String.format("best of %d; relative output error %.4f", REPEATS, error)));
    }

    private static Row timeCholesky(Linalg linalg, float[] spd, int n, boolean upperOfInverse) {
        float[] a = spd.clone();
        long start = System.nanoTime();
        if (upperOfInverse) {
            linalg.upperCholeskyOfInverse(a, n);
        } else {
            linalg.choleskyLower(a, n);
        }
        double elapsed = seconds(start);
        String what = upperOfInverse ? "upper Cholesky of H^-1 (Hinv)" : "Cholesky lower";
        return new Row(what + " " + n + ", " + linalg.name(), elapsed, String.format("%.1f GFLOP/s equiv. (n^3/3)",
                (double) n * n * n / 3 / elapsed / 1e9));
    }

    /** H = X^T X / m + 0.01 I from 2n Gaussian rows. */
    private static float[] spdMatrix(NDManager manager, int n) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = scope.randomNormal(new Shape(2L * n, n));
            NDArray h = x.transpose().matMul(x).divi(2f * n).addi(scope.eye(n).muli(0.01f));
            return h.toFloatArray();
        }
    }

    private static float[] gaussian(int size, float scale, long seed) {
        Random random = new Random(seed);
        float[] values = new float[size];
        for (int k = 0; k < size; k++) {
            values[k] = (float) random.nextGaussian() * scale;
        }
        return values;
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}

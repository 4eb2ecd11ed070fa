package dev.calibra.model.bench;

import ai.djl.Device;
import dev.calibra.model.Devices;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;

/**
 * The machine's rates that bound a compression run's phases from below, as one JSON line: the float32 DJL matMul
 * rate (2048 x 2048, the ceiling ForwardBenchmark uses; forwards, Hessians and GPTQ are matmul-bound) and the
 * sha256 rate of the JVM (the worker hashes a model folder before reading it). Disk rates are measured by
 * bench/one-billion.sh with dd. Usage: {@code FloorBenchmark [--gpu]}.
 */
public final class FloorBenchmark {

    private FloorBenchmark() {}

    public static void main(String[] args) throws NoSuchAlgorithmException {
        Device device = Devices.choose(java.util.Arrays.asList(args).contains("--gpu"));
        double matMul = ForwardBenchmark.matMulFlopsPerSecond(device, 2048);
        double sha256 = sha256BytesPerSecond();
        System.out.printf(Locale.ROOT, "{\"device\": \"%s\", \"threads\": %d, \"matmul_gflops\": %.1f, \"sha256_mb_s\": %.1f}%n",
                device, Runtime.getRuntime().availableProcessors(), matMul / 1e9, sha256 / 1e6);
    }

    /** sha256 of an in-memory buffer, best of 3 passes over 256 MiB. */
    static double sha256BytesPerSecond() throws NoSuchAlgorithmException {
        byte[] chunk = new byte[1 << 20];
        new java.util.Random(1).nextBytes(chunk);
        double best = 0;
        for (int pass = 0; pass < 3; pass++) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            long start = System.nanoTime();
            for (int i = 0; i < 256; i++) {
                digest.update(chunk);
            }
            digest.digest();
            best = Math.max(best, 256.0 * chunk.length / ((System.nanoTime() - start) / 1e9));
        }
        return best;
    }
}

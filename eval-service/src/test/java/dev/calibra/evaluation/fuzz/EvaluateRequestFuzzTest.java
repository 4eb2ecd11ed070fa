package dev.calibra.evaluation.fuzz;

// Feeds Evaluator.evaluate random EvaluateRequests built from boundary values (known and unknown tasks,
// negative and huge limits, batch sizes, sequence lengths and token caps, unknown enum numbers, perplexity
// paths that are relative, missing, a folder, not UTF-8 or hold a NUL), a third of them as mutated wire
// bytes. The registry is an address where nothing listens, so a request that passes validation ends in
// UNAVAILABLE there, counted as "accepted". Asserts: every other outcome is a refusal that GrpcErrors maps
// to a status other than INTERNAL or UNKNOWN (a request error never reads as a server bug), or bytes that
// protobuf itself refuses; no hang.

import com.google.protobuf.InvalidProtocolBufferException;
import dev.calibra.evaluation.Assets;
import dev.calibra.evaluation.service.Evaluator;
import dev.calibra.evaluation.task.TaskCatalog;
import dev.calibra.evaluation.task.TaskSpec;
import dev.calibra.model.fuzz.Fuzzer;
import dev.calibra.model.fuzz.Mutator;
import dev.calibra.proto.v1.EvaluateRequest;
import dev.calibra.proto.v1.PerplexitySpec;
import dev.calibra.proto.v1.RegistryGrpc;
import dev.calibra.rpc.GrpcErrors;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluateRequestFuzzTest {

    private static final TaskCatalog CATALOG = TaskCatalog.builtIn();
    private static final int[] INTS = {-1, 0, 1, 2, 3, 16, 256, 100_000, Integer.MAX_VALUE, Integer.MIN_VALUE};

    @TempDir
    Path dir;

    @Test
    void evaluate_randomRequests_refusedWithAClientStatusOrReachTheRegistry() throws Exception {
        Path text = Files.writeString(dir.resolve("text.txt"), "Once upon a time there was a ball.\n");
        Path notUtf8 = Files.write(dir.resolve("latin1.txt"), "caf\u00e9 au lait\n".getBytes(StandardCharsets.ISO_8859_1));
        List<String> paths = List.of("", text.toString(), notUtf8.toString(), dir.toString(), dir.resolve("missing.txt").toString(),
                "relative.txt", "a\u0000b", "file:" + text);
        List<String> tasks = new ArrayList<>(CATALOG.all().stream().map(TaskSpec::name).toList());
        tasks.addAll(List.of("", " copa ", "COPA", "unknown_task", "copa\u0000"));
        Mutator wire = new Mutator(List.of(request(new SplittableRandom(1), tasks, paths).toByteArray()), List.of(), 64 << 10);

        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();  // closed again: nothing listens there
        }
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        dev.calibra.artifacts.ArtifactStore store = new dev.calibra.artifacts.LocalArtifactStore(dir.resolve("store"));
        try {
            Fuzzer.Report report = new Fuzzer("evaluate-request", Fuzzer.Settings.fromSystemProperties(2000)).run(
                    random -> random.nextInt(3) == 0 ? wire.next(random) : request(random, tasks, paths).toByteArray(),
                    input -> {
                        EvaluateRequest request = EvaluateRequest.parseFrom(input);
                        Evaluator evaluator = new Evaluator(RegistryGrpc.newBlockingStub(channel)
                                .withDeadlineAfter(5, TimeUnit.SECONDS), store, Assets.assets(), CATALOG);
                        try {
                            evaluator.evaluate(request, progress -> { }, "");
                            throw new AssertionError("evaluate returned without a registry");
                        } catch (StatusRuntimeException e) {
                            if (e.getStatus().getCode() != Status.Code.UNAVAILABLE) {
                                throw e;
                            }
                        }
                    },
                    error -> error instanceof InvalidProtocolBufferException || isClientStatus(error));
            report.assertNoFailures();
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** A status the caller can act on: INTERNAL and UNKNOWN would mean the service failed on the request. */
    static boolean isClientStatus(Throwable error) {
        Status.Code code = GrpcErrors.toStatus(error).getStatus().getCode();
        return code != Status.Code.INTERNAL && code != Status.Code.UNKNOWN;
    }

    private static EvaluateRequest request(SplittableRandom random, List<String> tasks, List<String> paths) {
        EvaluateRequest.Builder request = EvaluateRequest.newBuilder()
                .setModelId(pick(random, List.of("", " ", "model-1", "\u0000", "m".repeat(300))))
                .setLimit(pick(random, INTS))
                .setBatchSize(pick(random, INTS))
                .setDevice(pick(random, List.of("", "cpu", "cuda", "gpu", "tpu", "CPU")))
                .setDryRun(random.nextBoolean());
        for (int i = random.nextInt(4); i > 0; i--) {
            request.addTasks(pick(random, tasks));
        }
        for (int i = random.nextInt(3); i > 0; i--) {
            request.addPerplexity(PerplexitySpec.newBuilder()
                    .setName(pick(random, List.of("", "text", "\u00e9t\u00e9")))
                    .setPath(pick(random, paths))
                    .setCorpusId(random.nextInt(4) == 0 ? "corpus-1" : "")
                    .setSeqLen(pick(random, INTS))
                    .setMaxTokens(pick(random, new long[] {-1, 0, 10, Integer.MAX_VALUE, 1L << 31, Long.MAX_VALUE}))
                    .setConventionValue(pick(random, new int[] {0, 1, 2, 3, 99, -1})));
        }
        return request.build();
    }

    private static <T> T pick(SplittableRandom random, List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    private static int pick(SplittableRandom random, int[] values) {
        return values[random.nextInt(values.length)];
    }

    private static long pick(SplittableRandom random, long[] values) {
        return values[random.nextInt(values.length)];
    }
}

package dev.calibra.calibration.fuzz;

// Two targets. (1) CalibrationService.addCorpus and .sample get random requests built from boundary values
// (blank, relative, missing, folder, NUL and non-UTF-8 corpus paths, unknown rules and strategies, zero,
// negative and huge sizes, NaN and infinite weights), a third as mutated wire bytes; the registry is an
// address where nothing listens, so a request that passes validation ends in UNAVAILABLE there ("accepted").
// (2) Every strategy's draw but self_generated's gets random parameter maps (known names with boundary
// values, unknown names), sizes and corpora, with the real stories260K tokenizer. Asserts: rows of seq_len
// ids inside the vocabulary, or a refusal that GrpcErrors maps to a status other than INTERNAL or UNKNOWN;
// no hang. Sizes stay small in (2): n_samples has no upper bound in the service yet (see the fuzz notes).

import com.google.protobuf.InvalidProtocolBufferException;
import dev.calibra.calibration.Assets;
import dev.calibra.calibration.corpus.DocumentRule;
import dev.calibra.calibration.sampling.CorpusInput;
import dev.calibra.calibration.sampling.DrawRequest;
import dev.calibra.calibration.sampling.ParameterSpec;
import dev.calibra.calibration.sampling.Parameters;
import dev.calibra.calibration.sampling.Sample;
import dev.calibra.calibration.sampling.Strategies;
import dev.calibra.calibration.sampling.Strategy;
import dev.calibra.calibration.service.CalibrationService;
import dev.calibra.calibration.service.ModelSession;
import dev.calibra.model.fuzz.Fuzzer;
import dev.calibra.model.fuzz.Mutator;
import dev.calibra.proto.v1.AddCorpusRequest;
import dev.calibra.proto.v1.CalibrationSpec;
import dev.calibra.proto.v1.RegistryGrpc;
import dev.calibra.proto.v1.SampleCalibrationSetRequest;
import dev.calibra.proto.v1.WeightedCorpus;
import dev.calibra.rpc.GrpcErrors;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CalibrationRequestFuzzTest {

    /** self_generated is left out: it runs the model token by token, seconds per draw on a loaded CI machine. */
    private static final List<String> DRAWN_STRATEGIES = Strategies.NAMES.stream()
            .filter(name -> !name.equals("self_generated")).toList();
    private static final int[] SIZES = {-1, 0, 1, 2, 3, 8, 128, 512, 513, 100_000, Integer.MAX_VALUE, Integer.MIN_VALUE};
    private static final List<String> VALUES = List.of("", "0", "1", "-1", "2", "0.5", "1.0", "10", "11", "1e9", "NaN",
            "Infinity", "-0", "true", "false", "TRUE", ">", ">=", "<", "\\n\\n", "\\", "\\t", " ", "9999999999",
            "2147483647", "100000000", "1000", "999", "0x10", "\u00e9", "qwen3", "llama3", "gemma2", "model", "packed", "whole",
            "skip", "unset");

    @TempDir
    Path dir;

    @Test
    void addCorpusAndSample_randomRequests_refusedWithAClientStatusOrReachTheRegistry() throws Exception {
        List<String> paths = corpusPaths();
        Mutator wire = new Mutator(List.of(addCorpus(new SplittableRandom(1), paths).toByteArray(),
                sample(new SplittableRandom(2)).toByteArray()), List.of(), 64 << 10);
        ManagedChannel channel = deadRegistry();
        try {
            Fuzzer.Report report = new Fuzzer("calibration-request", Fuzzer.Settings.fromSystemProperties(2000)).run(
                    random -> {
                        // the first byte says which request the rest is
                        byte kind = (byte) random.nextInt(2);
                        byte[] body = random.nextInt(3) == 0 ? wire.next(random)
                                : kind == 0 ? addCorpus(random, paths).toByteArray() : sample(random).toByteArray();
                        byte[] input = new byte[body.length + 1];
                        input[0] = kind;
                        System.arraycopy(body, 0, input, 1, body.length);
                        return input;
                    },
                    input -> {
                        byte[] body = Arrays.copyOfRange(input, 1, input.length);
                        CalibrationService service = new CalibrationService(RegistryGrpc.newBlockingStub(channel)
                                .withDeadlineAfter(5, TimeUnit.SECONDS), null, null);
                        try {
                            if (input[0] == 0) {
                                service.addCorpus(AddCorpusRequest.parseFrom(body));
                            } else {
                                service.sample(SampleCalibrationSetRequest.parseFrom(body), CalibrationService.Producer.NONE);
                            }
                            throw new AssertionError("the request succeeded without a registry");
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

    @Test
    void draw_randomParametersAndSizes_rowsOrClientRefusal() throws Exception {
        List<CorpusInput> corpora = List.of(
                tinyCorpus("stories", "tinystories_valid_first.txt", "blank-lines", 6 << 10),
                tinyCorpus("news", "abc_science_news.txt", "lines", 4 << 10),
                tinyCorpus("c4", "c4_en_train00000_first1000.jsonl", "jsonl:text", 8 << 10),
                tinyCorpus("chat", "tinystories_chat.jsonl", "chat", 8 << 10));
        ModelSession session = ModelSession.open(Assets.stories260K());
        int vocabulary = session.tokenizer().vocabSize();
        Fuzzer.Report report = new Fuzzer("strategy-draw", Fuzzer.Settings.fromSystemProperties(2000)).run(
                random -> drawInput(random, corpora.size()),
                input -> {
                    String[] fields = new String(input, StandardCharsets.UTF_8).split("\u0000", -1);
                    Strategy strategy = Strategies.of(fields[0]);
                    int n = Integer.parseInt(fields[1]);
                    int seqLen = Integer.parseInt(fields[2]);
                    List<CorpusInput> chosen = new ArrayList<>();
                    for (char c : fields[3].toCharArray()) {
                        CorpusInput corpus = corpora.get(c - '0');
                        chosen.add(new CorpusInput(corpus.corpusId(), corpus.name(), corpus.path(), corpus.sha256(),
                                corpus.rule(), Double.parseDouble(fields[4])));
                    }
                    Map<String, String> parameters = new LinkedHashMap<>();
                    for (int i = 5; i + 1 < fields.length; i += 2) {
                        parameters.put(fields[i], fields[i + 1]);
                    }
                    List<Sample> rows = strategy.draw(new DrawRequest(n, seqLen, 7, Parameters.resolve(strategy.name(),
                            strategy.parameters(), parameters), chosen, session.tokenizer(), session, null));
                    checkRows(rows, n, seqLen, vocabulary);
                },
                CalibrationRequestFuzzTest::isClientStatus);
        if (report.failures().isEmpty()) {
            // after a hang a stuck thread may still be inside the native tokenizer: closing it then would crash the JVM
            session.close();
        }
        report.assertNoFailures();
    }

    /** A status the caller can act on: INTERNAL and UNKNOWN would mean the service failed on the request. */
    static boolean isClientStatus(Throwable error) {
        Status.Code code = GrpcErrors.toStatus(error).getStatus().getCode();
        return code != Status.Code.INTERNAL && code != Status.Code.UNKNOWN;
    }

    private static void checkRows(List<Sample> rows, int n, int seqLen, int vocabulary) {
        if (rows.size() != n) {
            throw new AssertionError(rows.size() + " rows drawn for n_samples " + n);
        }
        for (Sample row : rows) {
            if (row.tokens().length != seqLen) {
                throw new AssertionError("a row of " + row.tokens().length + " tokens for seq_len " + seqLen);
            }
            for (int id : row.tokens()) {
                if (id < 0 || id >= vocabulary) {
                    throw new AssertionError("token id " + id + " outside the vocabulary of " + vocabulary);
                }
            }
        }
    }

    /** strategy NUL n NUL seq_len NUL corpus indices NUL weight (NUL name NUL value)*, as text for the saved input. */
    private static byte[] drawInput(SplittableRandom random, int corpora) {
        String strategyName = DRAWN_STRATEGIES.get(random.nextInt(DRAWN_STRATEGIES.size()));
        Strategy strategy = Strategies.of(strategyName);
        int n = 1 + random.nextInt(8);
        int[] lengths = {1, 2, 3, 8, 64, 256, 512};
        int seqLen = lengths[random.nextInt(lengths.length)];
        StringBuilder chosen = new StringBuilder();
        for (int i = random.nextInt(4) == 0 ? random.nextInt(3) : 1; i > 0; i--) {
            chosen.append(random.nextInt(corpora));
        }
        String weight = List.of("1", "0.25", "3", "0", "-1", "NaN", "Infinity", "1e-300").get(random.nextInt(8));
        List<String> fields = new ArrayList<>(List.of(strategyName, Integer.toString(n), Integer.toString(seqLen),
                chosen.toString(), weight));
        List<ParameterSpec> specs = strategy.parameters();
        for (int i = random.nextInt(4); i > 0; i--) {
            String name = random.nextInt(6) == 0 ? "unknown_parameter" : specs.get(random.nextInt(specs.size())).name();
            fields.add(name);
            fields.add(VALUES.get(random.nextInt(VALUES.size())));
        }
        return String.join("\u0000", fields).getBytes(StandardCharsets.UTF_8);
    }

    private AddCorpusRequest addCorpus(SplittableRandom random, List<String> paths) {
        return AddCorpusRequest.newBuilder()
                .setName(pick(random, List.of("", " ", "news", "n".repeat(1000))))
                .setPath(pick(random, paths))
                .setDocumentRule(pick(random, List.of("", "blank-lines", "lines", "whole", "jsonl:text", "jsonl:", "paragraphs")))
                .setTextField(pick(random, List.of("", "text", "nope", " ")))
                .setDomain(pick(random, List.of("", "news")))
                .build();
    }

    private static SampleCalibrationSetRequest sample(SplittableRandom random) {
        CalibrationSpec.Builder spec = CalibrationSpec.newBuilder()
                .setStrategy(pick(random, List.of("", "random_window", "mixture", "self_generated", "random_tokens",
                        "disjoint_sets", "concat_window", "RANDOM_WINDOW", "nope")))
                .setNSamples(SIZES[random.nextInt(SIZES.length)])
                .setSeqLen(SIZES[random.nextInt(SIZES.length)])
                .setSeed(random.nextLong())
                .setModelId(pick(random, List.of("", " ", "model-1")));
        for (int i = random.nextInt(3); i > 0; i--) {
            spec.addCorpora(WeightedCorpus.newBuilder().setCorpusId(pick(random, List.of("", "corpus-1", " ")))
                    .setWeight(new double[] {0, 1, -1, 0.5, Double.NaN, Double.POSITIVE_INFINITY, 1e-300}[random.nextInt(7)]));
        }
        for (int i = random.nextInt(3); i > 0; i--) {
            spec.putParameters(pick(random, List.of("separator", "drop_anomalous", "top_k", "nope")),
                    pick(random, VALUES));
        }
        return SampleCalibrationSetRequest.newBuilder().setSpec(spec).setDropAnomalous(random.nextBoolean()).build();
    }

    /** Corpus paths of every kind a request may name, all inside the temporary folder. */
    private List<String> corpusPaths() throws IOException {
        Path text = Files.writeString(dir.resolve("news.txt"), "one line\nanother line\n\nthird\n");
        Path jsonl = Files.writeString(dir.resolve("docs.jsonl"), "{\"text\": \"a\"}\n{\"text\": \"b\"}\n");
        Path latin1 = Files.write(dir.resolve("latin1.txt"), "caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        Path folder = Files.createDirectories(dir.resolve("folder"));
        Files.writeString(folder.resolve("a.txt"), "a\n\nb\n");
        Files.writeString(folder.resolve("b.jsonl"), "{\"text\": \"c\"}\n");
        Path textFolder = Files.createDirectories(dir.resolve("texts"));
        Files.writeString(textFolder.resolve("a.txt"), "a\n\nb\n");
        Path empty = Files.createFile(dir.resolve("empty.txt"));
        return List.of("", " ", "relative.txt", text.toString(), jsonl.toString(), latin1.toString(), folder.toString(),
                textFolder.toString(), empty.toString(), dir.resolve("missing.txt").toString(), dir + "/a\u0000b",
                "file:" + text, text + "/..");
    }

    private CorpusInput tinyCorpus(String id, String file, String rule, int bytes) throws IOException {
        byte[] all = Files.readAllBytes(Assets.corpus(file));
        int end = Math.min(all.length, bytes);
        while (end < all.length && all[end - 1] != '\n') {
            end++;
        }
        Path path = Files.write(dir.resolve(id + (rule.startsWith("jsonl") || rule.startsWith("chat") ? ".jsonl" : ".txt")), Arrays.copyOf(all, end));
        return new CorpusInput(id, id, path, "", DocumentRule.parse(rule), 1);
    }

    private static ManagedChannel deadRegistry() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();  // closed again: nothing listens there
        }
        return ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    }

    private static <T> T pick(SplittableRandom random, List<T> values) {
        return values.get(random.nextInt(values.size()));
    }
}

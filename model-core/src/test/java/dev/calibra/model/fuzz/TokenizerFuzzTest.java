package dev.calibra.model.fuzz;

// Feeds the tokenizer loader mutated tokenizer.json / tokenizer_config.json pairs (JSON-value mutations
// of stories260K's files: wrong types, out-of-range and huge ids, missing special tokens, deep nesting;
// plus byte mutations). First TokenizerFiles.read alone (pure Java), then Tokenizer.open, which hands the
// JSON to the HuggingFace native library, followed by encode and decode. Asserts: a tokenizer whose ids
// all fall inside its vocabulary size, or ModelFormatException naming the file; nothing else, no hang.
// A native crash would end the test JVM: the input being tried is kept in target/fuzz-failures/ until
// the native call returns, so such a crash leaves its reproducer behind.

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.calibra.model.ModelFormatException;
import dev.calibra.model.TestData;
import dev.calibra.model.tokenizer.Tokenizer;
import dev.calibra.model.tokenizer.TokenizerFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizerFuzzTest {

    /** Separates tokenizer.json from tokenizer_config.json inside one fuzz input (absent: no config file). */
    private static final byte[] SEPARATOR = "\u0000\u0000tokenizer_config.json\u0000\u0000".getBytes(StandardCharsets.UTF_8);
    private static final List<String> NAMES = List.of("model", "vocab", "merges", "type", "BPE", "WordPiece",
            "WordLevel", "Unigram", "added_tokens", "id", "content", "special", "normalizer", "pre_tokenizer",
            "post_processor", "decoder", "byte_fallback", "unk_token", "<s>", "</s>", "<unk>", "add_bos_token",
            "add_eos_token", "bos_token", "eos_token", "Sequence", "Replace", "Prepend", "pattern", "dropout");
    private static final List<String> TEXTS = List.of("Once upon a time, Lily <s> saw </s> a big red ball.", "",
            "\ud800 lone surrogate \udfff", "\u65e5\u672c\u8a9e \ud83d\ude42 \u0000 \r\n\t", "a".repeat(3000));

    @TempDir
    static Path dir;
    private static byte[] tokenizerJson;
    private static byte[] configJson;

    @BeforeAll
    static void seeds() throws IOException {
        tokenizerJson = Files.readAllBytes(TestData.stories260K().resolve(TokenizerFiles.TOKENIZER_JSON));
        configJson = Files.readAllBytes(TestData.stories260K().resolve(TokenizerFiles.TOKENIZER_CONFIG_JSON));
    }

    @Test
    void read_mutatedTokenizerFiles_readOrRefuseNamingTheFile() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("files"));
        Fuzzer.Report report = new Fuzzer("tokenizer-files", Fuzzer.Settings.fromSystemProperties(2000)).run(
                generator(), input -> {
                    TokenizerFiles files = TokenizerFiles.read(writeFolder(folder, input));
                    checkSpecialIds(files);
                }, TokenizerFuzzTest::documented);
        report.assertNoFailures();
    }

    @Test
    void open_mutatedTokenizerFiles_encodeOrRefuseNamingTheFile() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("native"));
        Path inFlight = Fuzzer.FAILURES.resolve("tokenizer-in-flight.bin");
        Files.createDirectories(Fuzzer.FAILURES);
        // each native open takes milliseconds: fewer tries than the pure-Java target
        Fuzzer.Report report = new Fuzzer("tokenizer", Fuzzer.Settings.fromSystemProperties(800)).run(
                generator(), input -> {
                    Files.write(inFlight, input);
                    Path json = writeFolder(folder, input);
                    try (Tokenizer tokenizer = Tokenizer.open(json)) {
                        TokenizerFiles files = TokenizerFiles.read(json);
                        for (String text : TEXTS) {
                            checkIds(files, tokenizer.encode(text));
                            checkIds(files, tokenizer.encode(text, false));
                        }
                        tokenizer.decode(new int[] {-1, 0, tokenizer.vocabSize(), Integer.MAX_VALUE, 1, 2, 3});
                    }
                    Files.delete(inFlight);
                }, TokenizerFuzzTest::documented);
        Files.deleteIfExists(inFlight);
        report.assertNoFailures();
    }

    /** Regression: an id that is not a non-negative int used to wrap the vocabulary size negative. */
    @Test
    void read_idPastIntRange_isRefusedNamingTheToken() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("regression"));
        String json = new String(tokenizerJson, StandardCharsets.UTF_8).replaceFirst("\"id\": 2,", "\"id\": 2147483647,");
        Path path = writeFolder(folder, json.getBytes(StandardCharsets.UTF_8));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> TokenizerFiles.read(path));
        assertTrue(e.getMessage().contains("</s>") && e.getMessage().contains("tokenizer.json"), e.getMessage());
    }

    /**
     * Regression, found by this fuzzer: a "decoder" nested 127 levels deep, holding a number beyond a
     * double or an unpaired surrogate escape makes the native library panic, which aborts the JVM (the
     * whole service). All are refused before the JSON reaches the library.
     */
    @Test
    void open_decoderTheNativeLibraryWouldAbortOn_isRefusedBeforeIt() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("regression-native"));
        ObjectNode root = (ObjectNode) new ObjectMapper().readTree(tokenizerJson);
        JsonNode nested = root.numberNode(1);
        for (int i = 0; i < 200; i++) {
            nested = root.arrayNode().add(nested);
        }
        root.set("decoder", nested);
        Path deep = writeFolder(folder, new ObjectMapper().writeValueAsBytes(root));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Tokenizer.open(deep).close());
        assertTrue(e.getMessage().contains("levels deep"), e.getMessage());

        String huge = new String(tokenizerJson, StandardCharsets.UTF_8).replaceFirst("\"start\": 1", "\"start\": 1e400");
        Path out = writeFolder(folder, huge.getBytes(StandardCharsets.UTF_8));
        e = assertThrows(ModelFormatException.class, () -> Tokenizer.open(out).close());
        assertTrue(e.getMessage().contains("beyond a 64-bit float"), e.getMessage());

        String lone = new String(tokenizerJson, StandardCharsets.UTF_8).replaceFirst("\"content\": \" \"",
                "\"content\": \"\\\\ud800\"");
        Path surrogate = writeFolder(folder, lone.getBytes(StandardCharsets.UTF_8));
        e = assertThrows(ModelFormatException.class, () -> Tokenizer.open(surrogate).close());
        assertTrue(e.getMessage().contains("unpaired surrogate"), e.getMessage());
    }

    /**
     * Regression, found by this fuzzer: an added token missing from the model vocabulary gets the next
     * free id from the library whatever its "id" says, so encode returned 512 from a "vocabulary of 512".
     */
    @Test
    void read_addedTokenIdTheLibraryWouldReassign_isRefused() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("regression-added"));
        ObjectNode root = (ObjectNode) new ObjectMapper().readTree(tokenizerJson);
        ObjectNode vocab = (ObjectNode) root.path("model").path("vocab");
        vocab.set("0s>", vocab.remove("<s>"));
        Path path = writeFolder(folder, new ObjectMapper().writeValueAsBytes(root));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> TokenizerFiles.read(path));
        assertTrue(e.getMessage().contains("'<s>' has id 1 but the tokenizer library gives it id 512"), e.getMessage());
    }

    /** Regression: add_eos_token without an EOS token in the vocabulary used to append id -1 to every text. */
    @Test
    void read_addEosTokenWithoutEosInVocabulary_isRefused() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("regression-eos"));
        String config = new String(configJson, StandardCharsets.UTF_8).replace("\"add_eos_token\": false", "\"add_eos_token\": true")
                .replace("\"eos_token\": \"</s>\"", "\"eos_token\": \"<eos>\"");
        Path path = writeFolder(folder, concat(tokenizerJson, SEPARATOR, config.getBytes(StandardCharsets.UTF_8)));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> TokenizerFiles.read(path));
        assertTrue(e.getMessage().contains("<eos>") && e.getMessage().contains("tokenizer_config.json"), e.getMessage());
    }

    private static Fuzzer.Generator generator() throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        JsonNode tokenizer = mapper.readTree(tokenizerJson);
        JsonNode config = mapper.readTree(configJson);
        JsonMutator json = new JsonMutator(NAMES);
        Mutator bytes = new Mutator(List.of(tokenizerJson), NAMES, 1 << 20);
        Mutator configBytes = new Mutator(List.of(configJson), NAMES, 64 << 10);
        return random -> {
            int choice = random.nextInt(10);
            byte[] tokenizerOut = choice < 5 ? json.mutateToBytes(tokenizer, random)
                    : choice < 7 ? bytes.next(random) : tokenizerJson;
            byte[] configOut = choice >= 7 ? (random.nextInt(3) == 0 ? configBytes.next(random) : json.mutateToBytes(config, random))
                    : random.nextInt(4) == 0 ? null : configJson;
            return configOut == null ? tokenizerOut : concat(tokenizerOut, SEPARATOR, configOut);
        };
    }

    private static boolean documented(Throwable error) {
        return error instanceof ModelFormatException
                && (Fuzzer.names(error, "tokenizer.json") || Fuzzer.names(error, "tokenizer_config.json"));
    }

    /** Writes tokenizer.json (and tokenizer_config.json when the input has one); returns tokenizer.json. */
    private static Path writeFolder(Path folder, byte[] input) throws IOException {
        Path json = folder.resolve(TokenizerFiles.TOKENIZER_JSON);
        Path config = folder.resolve(TokenizerFiles.TOKENIZER_CONFIG_JSON);
        int at = indexOf(input, SEPARATOR);
        Files.write(json, at < 0 ? input : Arrays.copyOf(input, at));
        if (at < 0) {
            Files.deleteIfExists(config);
        } else {
            Files.write(config, Arrays.copyOfRange(input, at + SEPARATOR.length, input.length));
        }
        return json;
    }

    /** A positive vocabulary size, and BOS/EOS inside it (or -1: absent). */
    private static void checkSpecialIds(TokenizerFiles files) {
        if (files.vocabSize() <= 0) {
            throw new AssertionError("vocabulary size " + files.vocabSize());
        }
        for (int id : new int[] {files.bosId(), files.eosId()}) {
            if (id < -1 || id >= files.vocabSize()) {
                throw new AssertionError("special id " + id + " outside a vocabulary of " + files.vocabSize());
            }
        }
    }

    private static void checkIds(TokenizerFiles files, int[] ids) {
        for (int id : ids) {
            if (id < 0 || id >= files.vocabSize()) {
                throw new AssertionError("encode gave id " + id + " outside a vocabulary of " + files.vocabSize());
            }
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static byte[] concat(byte[]... parts) {
        byte[] out = new byte[Arrays.stream(parts).mapToInt(part -> part.length).sum()];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
        }
        return out;
    }
}

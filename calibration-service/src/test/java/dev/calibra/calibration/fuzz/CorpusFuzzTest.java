package dev.calibra.calibration.fuzz;

// Feeds CorpusScan (CorpusSource + DocumentReader under each document rule) mutated corpus files: the
// first lines of the shipped .txt and .jsonl corpora with bytes flipped, lines cut, invalid UTF-8, lone
// CRs, deep or wrong-typed JSON, as plain files, as gzip of the mutated text, and as mutated gzip bytes.
// Asserts: a document count that matches a second streaming pass, or CorpusFormatException /
// IllegalArgumentException naming the file (or the bad rule); nothing else, no hang, no allocation
// beyond the input. A separate test checks that a gzip bomb (one endless line) is refused, not loaded.

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.calibra.calibration.Assets;
import dev.calibra.calibration.corpus.CorpusFormatException;
import dev.calibra.calibration.corpus.CorpusScan;
import dev.calibra.calibration.corpus.CorpusSource;
import dev.calibra.calibration.corpus.DocumentReader;
import dev.calibra.model.fuzz.Fuzzer;
import dev.calibra.model.fuzz.JsonMutator;
import dev.calibra.model.fuzz.Mutator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusFuzzTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> TEXT_CORPORA = List.of("tinystories_valid_first.txt", "abc_science_news.txt",
            "wikitext2_raw_test.txt", "code_java_commons_lang3_3.14.0.txt");
    private static final List<String> JSONL_CORPORA = List.of("c4_en_train00000_first1000.jsonl",
            "redpajama_arxiv_sample20.jsonl");
    private static final List<String> RULES = List.of("", "blank-lines", "lines", "whole", "jsonl:text", "paragraphs");
    private static final List<String> FIELDS = List.of("", "text", "meta", "url", "nope");
    private static final List<String> NAMES = List.of("text", "meta", "url", "timestamp", "\"text\":", "\r", "\r\n",
            "\n\n", " \t\n", "\u000b", "\u00a0");

    @TempDir
    Path dir;

    @Test
    void scan_mutatedCorpora_documentsOrRefusalNamingTheFile() throws IOException {
        List<byte[]> texts = new ArrayList<>();
        for (String name : TEXT_CORPORA) {
            texts.add(firstBytes(name, 8 << 10));
        }
        List<byte[]> jsonl = new ArrayList<>();
        for (String name : JSONL_CORPORA) {
            jsonl.add(firstBytes(name, 48 << 10));
        }
        Mutator textBytes = new Mutator(texts, NAMES, 256 << 10);
        Mutator jsonlBytes = new Mutator(jsonl, NAMES, 256 << 10);
        JsonMutator json = new JsonMutator(List.of("text", "meta", "url", "timestamp"));
        Fuzzer.Generator generator = random -> {
            boolean isJsonl = random.nextBoolean();
            String name = (isJsonl ? "corpus.jsonl" : "corpus.txt") + (random.nextInt(3) == 0 ? ".gz" : "");
            byte[] content = isJsonl
                    ? (random.nextBoolean() ? jsonlBytes.next(random) : mutateOneRow(pick(random, jsonl), json, random))
                    : textBytes.next(random);
            String gzip = !name.endsWith(".gz") ? "no" : random.nextInt(4) == 0 ? "raw" : "valid";
            if (gzip.equals("raw")) {
                // the bytes of a gzip stream, mutated: CRCs, lengths and deflate blocks that lie
                content = textBytes.mutate(gzip(content), random);
            }
            return input(name, gzip, pick(random, RULES), pick(random, FIELDS), content);
        };
        Fuzzer.Report report = new Fuzzer("corpus", Fuzzer.Settings.fromSystemProperties(2000)).run(generator,
                this::scan, error -> error instanceof IllegalArgumentException
                        && (Fuzzer.names(error, "corpus.") || Fuzzer.names(error, "rule") || Fuzzer.names(error, "text_field")));
        report.assertNoFailures();
    }

    /** Regression: a corrupt gzip stream used to escape as a bare ZipException/EOFException naming no file. */
    @Test
    void scan_corruptGzip_isRefusedNamingTheFile() throws IOException {
        byte[] gz = gzip("one\n\ntwo\n".repeat(1000).getBytes(StandardCharsets.UTF_8));
        Path truncated = Files.write(dir.resolve("truncated.txt.gz"), Arrays.copyOf(gz, gz.length / 2));
        assertTrue(assertThrows(CorpusFormatException.class, () -> CorpusScan.of(truncated, "", "")).getMessage()
                .contains("truncated.txt.gz"));
        byte[] flipped = gz.clone();
        flipped[gz.length / 2] ^= 0x55;
        Path corrupt = Files.write(dir.resolve("corrupt.txt.gz"), flipped);
        assertTrue(assertThrows(CorpusFormatException.class, () -> CorpusScan.of(corrupt, "", "")).getMessage()
                .contains("corrupt.txt.gz"));
    }

    /** A 100 KB gzip that inflates to one line of 128 MiB: refused at the line cap instead of read into memory. */
    @Test
    void scan_gzipBombOfOneEndlessLine_isRefusedNamingTheLine() throws IOException {
        Path bomb = dir.resolve("bomb.txt.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(bomb), 1 << 16)) {
            byte[] block = new byte[1 << 20];
            Arrays.fill(block, (byte) 'a');
            for (int i = 0; i < 128; i++) {
                out.write(block);
            }
        }
        CorpusFormatException error = assertThrows(CorpusFormatException.class, () -> CorpusScan.of(bomb, "lines", ""));
        assertTrue(error.getMessage().contains("bomb.txt.gz line 1"), error.getMessage());
    }

    /** Writes the input's file, scans it, and reads it again to check the count. */
    private void scan(byte[] input) throws IOException {
        int newline = indexOf(input, (byte) '\n');
        JsonNode header = JSON.readTree(Arrays.copyOf(input, newline));
        byte[] content = Arrays.copyOfRange(input, newline + 1, input.length);
        Path file = dir.resolve(header.path("name").asText());
        Files.write(file, header.path("gzip").asText().equals("valid") ? gzip(content) : content);
        try {
            CorpusScan scan = CorpusScan.of(file, header.path("rule").asText(), header.path("field").asText());
            long[] again = {0};
            new DocumentReader(CorpusSource.open(file), scan.rule()).forEach((index, text) -> {
                if (index != again[0]++ || text == null) {
                    throw new AssertionError("document " + index + " out of order or null");
                }
                return true;
            });
            if (again[0] != scan.documents() || scan.documents() <= 0) {
                throw new AssertionError("scan counted " + scan.documents() + " documents, a second pass " + again[0]);
            }
        } finally {
            Files.delete(file);
        }
    }

    /** An input: one JSON line with the file name, gzip mode, rule and text field, then the file's bytes. */
    private static byte[] input(String name, String gzip, String rule, String field, byte[] content) throws IOException {
        ObjectNode header = JSON.createObjectNode().put("name", name).put("gzip", gzip).put("rule", rule).put("field", field);
        byte[] head = (JSON.writeValueAsString(header) + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] out = Arrays.copyOf(head, head.length + content.length);
        System.arraycopy(content, 0, out, head.length, content.length);
        return out;
    }

    /** The first whole lines of a shipped corpus, up to about {@code bytes}. */
    private static byte[] firstBytes(String name, int bytes) throws IOException {
        byte[] all = Files.readAllBytes(Assets.corpus(name));
        int end = Math.min(all.length, bytes);
        while (end < all.length && all[end - 1] != '\n') {
            end++;
        }
        return Arrays.copyOf(all, end);
    }

    private static byte[] mutateOneRow(byte[] rows, JsonMutator json, SplittableRandom random) throws IOException {
        String[] lines = new String(rows, StandardCharsets.UTF_8).split("\n");
        int pick = random.nextInt(lines.length);
        lines[pick] = new String(json.mutateToBytes(JSON.readTree(lines[pick]), random), StandardCharsets.UTF_8);
        return (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] gzip(byte[] content) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bytes)) {
            out.write(content);
        }
        return bytes.toByteArray();
    }

    private static <T> T pick(SplittableRandom random, List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }
}

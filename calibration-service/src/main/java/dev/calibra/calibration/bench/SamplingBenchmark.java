package dev.calibra.calibration.bench;

import dev.calibra.artifacts.ArtifactStore;
import dev.calibra.artifacts.LocalArtifactStore;
import dev.calibra.calibration.corpus.CorpusScan;
import dev.calibra.calibration.corpus.CorpusSource;
import dev.calibra.calibration.corpus.DocumentReader;
import dev.calibra.calibration.corpus.DocumentRule;
import dev.calibra.calibration.sampling.CorpusInput;
import dev.calibra.calibration.sampling.CorpusTokens;
import dev.calibra.calibration.sampling.DrawRequest;
import dev.calibra.calibration.sampling.Parameters;
import dev.calibra.calibration.sampling.Sample;
import dev.calibra.calibration.sampling.Strategies;
import dev.calibra.calibration.sampling.Strategy;
import dev.calibra.calibration.service.ModelSession;
import dev.calibra.calibration.statistics.Fingerprint;
import dev.calibra.model.chat.ChatTemplate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Numbers for BENCHMARKS.md: tokenization throughput (MB of UTF-8 text per second, per document and as
 * the joined stream) and the time and heap to sample 128 x 512 tokens from the shipped C4 file, without
 * the token cache and with it (first draw builds it, second reads it); chat template rendering speed.
 * Usage: SamplingBenchmark [assets folder] (default: $calibra.root/assets).
 */
public final class SamplingBenchmark {

    public static void main(String[] args) throws Exception {
        Path assets = Path.of(args.length > 0 ? args[0] : System.getProperty("calibra.root", ".") + "/assets")
                .toAbsolutePath().normalize();
        Path c4File = assets.resolve("corpora/c4_en_train00000_first1000.jsonl");
        Path cacheRoot = Files.createTempDirectory("calibra-bench-cache");
        try (ModelSession session = ModelSession.open(assets.resolve("models/stories260K"))) {
            CorpusScan scan = CorpusScan.of(c4File, "", "");
            CorpusInput c4 = new CorpusInput("c4", "c4", c4File, scan.sha256(), scan.rule(), 1);
            double megabytes = scan.sizeBytes() / 1e6;
            System.out.printf("| measurement | value |%n|---|---|%n");
            System.out.printf("| C4 file | %.2f MB, %d documents |%n", megabytes, scan.documents());
            new CorpusTokens(c4, session.tokenizer(), null).documentLengths();  // warm-up: natives, JIT

            long start = System.nanoTime();
            int[] lengths = new CorpusTokens(c4, session.tokenizer(), null).documentLengths();
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("| tokenize per document (stories260K tokenizer) | %.2f MB/s (%d tokens in %.2f s) |%n",
                    megabytes / seconds, Arrays.stream(lengths).asLongStream().sum(), seconds);
            for (int chunkChars : new int[] {10_000, 100_000, 1_000_000}) {
                start = System.nanoTime();
                long joined = new CorpusTokens(c4, session.tokenizer(), null).joinedTokenCount("\n\n", chunkChars);
                seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf("| tokenize joined stream, chunk_chars %d | %.2f MB/s (%d tokens in %.2f s) |%n",
                        chunkChars, megabytes / seconds, joined, seconds);
            }
            ArtifactStore cache = new LocalArtifactStore(cacheRoot);
            for (String strategy : List.of("random_window", "concat_window")) {
                sample(strategy, "no token cache", c4, session, null);
                sample(strategy, "token cache, first draw", c4, session, cache);
                sample(strategy, "token cache, second draw", c4, session, cache);
            }
            chatRendering(assets.resolve("corpora/tinystories_chat.jsonl"), session);
            System.out.printf("| process peak RSS (JVM + libtorch + tokenizer) | %s |%n", peakRss());
        } finally {
            new LocalArtifactStore(cacheRoot).delete("token-index");
            Files.walk(cacheRoot).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static void sample(String strategy, String mode, CorpusInput c4, ModelSession session, ArtifactStore cache)
            throws Exception {
        System.gc();
        Runtime runtime = Runtime.getRuntime();
        long before = runtime.totalMemory() - runtime.freeMemory();
        long start = System.nanoTime();
        Strategy chosen = Strategies.of(strategy);
        List<Sample> rows = chosen.draw(new DrawRequest(128, 512, 0, Parameters.resolve(strategy, chosen.parameters(), Map.of()),
                List.of(c4), session.tokenizer(), session, cache));
        double seconds = (System.nanoTime() - start) / 1e9;
        long after = runtime.totalMemory() - runtime.freeMemory();
        System.out.printf("| sample 128 x 512 from C4, %s, %s | %.2f s, heap growth %+.0f MB, fingerprint %s |%n",
                strategy, mode, seconds, (after - before) / 1e6,
                Fingerprint.of(rows.stream().map(Sample::tokens).toList()).substring(0, 12));
    }

    /**
     * The chat strategy's extra work: rendering every conversation of the shipped chat corpus with each
     * built-in template (bench/chat_render_jinja2.py times Jinja2 on the same conversations), and
     * tokenizing the renderings against tokenizing the same conversations as plain text.
     */
    private static void chatRendering(Path chatFile, ModelSession session) throws Exception {
        List<List<Map<String, Object>>> conversations = new java.util.ArrayList<>();
        new DocumentReader(CorpusSource.open(chatFile), DocumentRule.parse("chat")).forEachConversation((i, messages) -> {
            conversations.add(messages);
            return true;
        });
        int rounds = 20;
        for (String name : ChatTemplate.BUILT_IN) {
            ChatTemplate template = session.chatTemplate(name);
            List<String> texts = renderAll(template, conversations);  // warm-up
            long start = System.nanoTime();
            for (int round = 0; round < rounds; round++) {
                renderAll(template, conversations);
            }
            double seconds = (System.nanoTime() - start) / 1e9 / rounds;
            long chars = texts.stream().mapToLong(String::length).sum();
            System.out.printf("| render %d conversations, %s template | %.0f conversations/s (%.1f ms a pass, %.2f MB out, %d rendered) |%n",
                    conversations.size(), name, conversations.size() / seconds, seconds * 1e3, chars / 1e6, texts.size());
            start = System.nanoTime();
            for (String text : texts) {
                session.tokenizer().encodeFormatted(text);
            }
            System.out.printf("| tokenize the %s renderings | %.2f s |%n", name, (System.nanoTime() - start) / 1e9);
        }
        long start = System.nanoTime();
        new DocumentReader(CorpusSource.open(chatFile), DocumentRule.parse("chat")).forEach((i, text) -> {
            session.tokenizer().encodeFormatted(text);
            return true;
        });
        System.out.printf("| tokenize the same conversations as plain text | %.2f s |%n", (System.nanoTime() - start) / 1e9);

        CorpusScan scan = CorpusScan.of(chatFile, "chat", "");
        CorpusInput chat = new CorpusInput("chat", "chat", chatFile, scan.sha256(), scan.rule(), 1);
        Path cacheRoot = Files.createTempDirectory("calibra-bench-chat-cache");
        try {
            ArtifactStore cache = new LocalArtifactStore(cacheRoot);
            for (String mode : List.of("no token cache", "token cache, first draw", "token cache, second draw")) {
                start = System.nanoTime();
                Strategy strategy = Strategies.of("chat");
                List<Sample> rows = strategy.draw(new DrawRequest(128, 512, 0, Parameters.resolve("chat", strategy.parameters(),
                        Map.of("template", "qwen3", "packing", "packed")), List.of(chat), session.tokenizer(), session,
                        mode.startsWith("no") ? null : cache));
                System.out.printf("| chat, Qwen3 template, packed 128 x 512, %s | %.2f s, fingerprint %s |%n", mode,
                        (System.nanoTime() - start) / 1e9, Fingerprint.of(rows.stream().map(Sample::tokens).toList()).substring(0, 12));
            }
        } finally {
            Files.walk(cacheRoot).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** The renderings the template gives (Gemma 2 refuses conversations with a system message). */
    private static List<String> renderAll(ChatTemplate template, List<List<Map<String, Object>>> conversations) {
        List<String> texts = new java.util.ArrayList<>();
        for (List<Map<String, Object>> conversation : conversations) {
            try {
                texts.add(template.render(conversation, false, Map.of()));
            } catch (dev.calibra.model.chat.jinja.TemplateException refused) {
                // counted out, as the chat strategy's on_template_error skip leaves it out
            }
        }
        return texts;
    }

    private static String peakRss() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(line -> line.startsWith("VmHWM"))
                    .map(line -> line.replace("VmHWM:", "").trim()).findFirst().orElse("n/a");
        } catch (java.io.IOException e) {
            return "n/a";
        }
    }
}

package dev.calibra.evaluation.bench;

import ai.djl.Device;
import dev.calibra.evaluation.perplexity.Convention;
import dev.calibra.evaluation.perplexity.PerplexityEvaluator;
import dev.calibra.evaluation.perplexity.PerplexityScores;
import dev.calibra.evaluation.scoring.TaskEvaluator;
import dev.calibra.evaluation.task.TaskCatalog;
import dev.calibra.evaluation.task.TaskReader;
import dev.calibra.evaluation.task.TaskSpec;
import dev.calibra.model.CausalLm;
import dev.calibra.model.ModelFolder;
import dev.calibra.model.tokenizer.TextFiles;
import dev.calibra.model.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.List;

/**
 * Numbers for BENCHMARKS.md: scored tokens per second of stories260K on ARC-Easy (first 300) and on
 * WikiText-2 perplexity (GPTQ, seq_len 256, first 65,536 tokens), and the time to run every shipped task
 * with a limit. Usage: EvalBenchmark ASSETS_DIR [LIMIT_PER_TASK=100] [BATCH_SIZE=16]
 */
public final class EvalBenchmark {

    private EvalBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path assets = Path.of(args.length > 0 ? args[0] : "assets");
        int limit = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int batchSize = args.length > 2 ? Integer.parseInt(args[2]) : 16;
        TaskCatalog catalog = TaskCatalog.builtIn();
        try (ModelFolder folder = ModelFolder.open(assets.resolve("models/stories260K"));
                CausalLm model = folder.load(Device.cpu());
                Tokenizer tokenizer = folder.openTokenizer()) {
            TaskEvaluator tasks = new TaskEvaluator(model, tokenizer, batchSize);
            TaskSpec arc = catalog.get("arc_easy");
            var arcExamples = new TaskReader(arc, assets).read(300);
            tasks.evaluate(arc, arcExamples.subList(0, 16), f -> { });  // warm-up
            long start = System.nanoTime();
            var arcResult = tasks.evaluate(arc, arcExamples, f -> { });
            double arcSeconds = (System.nanoTime() - start) / 1e9;

            String wikitext = TextFiles.read(assets.resolve("corpora/wikitext2_raw_test.txt"));
            start = System.nanoTime();
            PerplexityScores ppl = new PerplexityEvaluator(model, tokenizer, batchSize).evaluate(List.of(wikitext),
                    Convention.GPTQ, 256, 65_536, "wikitext2", f -> { });
            double pplSeconds = (System.nanoTime() - start) / 1e9;

            System.out.println("| measurement | value |");
            System.out.println("|---|---|");
            System.out.printf("| ARC-Easy first 300 (%d requests, %d tokens), batch %d | %.0f tokens/s (%.2f s) |%n",
                    arcResult.requests(), arcResult.tokens(), batchSize, arcResult.tokens() / arcSeconds, arcSeconds);
            System.out.printf("| WikiText-2 perplexity GPTQ seq 256, %d windows (%.2f) | %.0f tokens/s (%.2f s) |%n",
                    ppl.windows(), ppl.perplexity(), ppl.windows() * 256 / pplSeconds, pplSeconds);
            long all = System.nanoTime();
            for (TaskSpec spec : catalog.all()) {
                long one = System.nanoTime();
                var result = tasks.evaluate(spec, new TaskReader(spec, assets).read(limit), f -> { });
                System.out.printf("| %s first %d: %s | %.2f s |%n", spec.name(), limit,
                        result.metrics().stream().map(m -> String.format("%s %.3f", m.metric(), m.value())).toList(),
                        (System.nanoTime() - one) / 1e9);
            }
            System.out.printf("| all %d shipped tasks, first %d examples each | %.1f s |%n", catalog.all().size(), limit,
                    (System.nanoTime() - all) / 1e9);
        }
    }
}

package dev.calibra.calibration.sampling;

import dev.calibra.model.CausalLm;
import dev.calibra.model.generation.GenerationSettings;
import dev.calibra.model.generation.Generator;
import dev.calibra.model.generation.SplitMix64;
import dev.calibra.model.scoring.TokenLogProbs;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/**
 * The model writes its own calibration data (Ji et al. 2024, "Beware of Calibration Data for Pruning
 * LLMs"): from BOS, or from BOS + the first prefix_tokens tokens of random corpus documents, sampled
 * with temperature / top-k / top-p / repetition penalty until the row holds seq_len tokens. Then
 * ceil(n / (1 - drop)) rows are made and the drop fraction with the highest perplexity is discarded,
 * the rest kept in generation order. Row i is generated with the i-th seed of the master generator.
 */
public final class SelfGeneratedStrategy implements Strategy {

    /** How the model samples; the chat strategy's model-written replies use the same parameters. */
    static final List<ParameterSpec> SAMPLING = List.of(
            new ParameterSpec("temperature", "double", "0.6", "(0, 10]", "softmax temperature"),
            new ParameterSpec("top_k", "int", "50", "[0, vocab]", "keep the k most likely tokens (0 = all)"),
            new ParameterSpec("top_p", "double", "0.95", "(0, 1]", "nucleus: smallest set reaching this probability"),
            new ParameterSpec("repetition_penalty", "double", "1.2", "(0, 10]", "CTRL penalty on tokens already present"));

    private static final List<ParameterSpec> PARAMETERS = java.util.stream.Stream.concat(SAMPLING.stream(), java.util.stream.Stream.of(
            new ParameterSpec("prefix_tokens", "int", "2", "[0, seq_len - 2]",
                    "tokens of a random corpus document that start each row after BOS; 0 starts from BOS alone"),
            new ParameterSpec("drop_highest_perplexity", "double", "0.2", "[0, 1)",
                    "fraction of generated rows with the highest perplexity to discard"))).toList();

    @Override
    public String name() {
        return "self_generated";
    }

    @Override
    public String version() {
        return "1";
    }

    @Override
    public String description() {
        return "the model generates its own samples from BOS or short corpus prefixes, then drops the least likely";
    }

    @Override
    public List<ParameterSpec> parameters() {
        return PARAMETERS;
    }

    @Override
    public List<Sample> draw(DrawRequest request) throws IOException {
        Parameters p = request.parameters();
        int prefixTokens = p.integer("prefix_tokens", 0, Math.max(0, request.seqLen() - 2));
        double drop = p.real("drop_highest_perplexity");
        if (drop < 0 || drop >= 1) {
            throw new IllegalArgumentException("parameter drop_highest_perplexity must be in [0, 1), got " + drop);
        }
        if (request.seqLen() < 2) {
            throw new IllegalArgumentException("self_generated needs seq_len >= 2, got " + request.seqLen());
        }
        if (prefixTokens > 0 && request.corpora().size() != 1) {
            throw new IllegalArgumentException("self_generated with prefix_tokens " + prefixTokens
                    + " needs exactly one corpus to draw prefixes from (got " + request.corpora().size()
                    + "); give one, or set prefix_tokens=0 to start from BOS");
        }
        int generatedRows = (int) Math.ceil(request.nSamples() / (1 - drop));
        SplitMix64 master = new SplitMix64(request.seed());
        List<Sample> prompts = prompts(request, prefixTokens, generatedRows, master);
        CausalLm model = request.model().model();
        Generator generator = new Generator(model);
        List<Sample> rows = new ArrayList<>(generatedRows);
        for (Sample prompt : prompts) {
            int[] row = continueTo(generator, prompt.tokens(), request.seqLen(), p, master.nextLong());
            rows.add(new Sample(row, prompt.corpusId(), prompt.documentIndex(), prompt.tokenOffset()));
        }
        return keepMostLikely(model, rows, request.nSamples());
    }

    /** The prompt followed by what the model samples (under the {@link #SAMPLING} parameters) up to seqLen tokens. */
    static int[] continueTo(Generator generator, int[] prompt, int seqLen, Parameters p, long seed) {
        GenerationSettings settings = new GenerationSettings(seqLen - prompt.length, p.real("temperature"),
                p.integer("top_k", 0, Integer.MAX_VALUE), p.real("top_p"), p.real("repetition_penalty"), seed, false);
        int[] generated = generator.generate(prompt, settings, List.of()).tokens();
        int[] row = Arrays.copyOf(prompt, seqLen);
        System.arraycopy(generated, 0, row, prompt.length, generated.length);
        return row;
    }

    /** BOS alone, or BOS + the first prefix_tokens tokens of random documents with at least that many. */
    private static List<Sample> prompts(DrawRequest request, int prefixTokens, int rows, SplitMix64 random)
            throws IOException {
        int bos = request.tokenizer().bosId();
        if (bos < 0) {
            throw new IllegalArgumentException("self_generated needs a tokenizer with a BOS token");
        }
        List<Sample> prompts = new ArrayList<>(rows);
        if (prefixTokens == 0) {
            for (int i = 0; i < rows; i++) {
                prompts.add(new Sample(new int[] {bos}, "", -1, 0));
            }
            return prompts;
        }
        CorpusTokens tokens = request.tokens(request.corpora().get(0));
        int[] lengths = tokens.documentLengths();
        int[] eligible = java.util.stream.IntStream.range(0, lengths.length).filter(i -> lengths[i] >= prefixTokens).toArray();
        if (eligible.length == 0) {
            throw new IllegalArgumentException("no document of corpus " + tokens.corpus().name() + " has " + prefixTokens
                    + " tokens for a prefix");
        }
        long[] documents = new long[rows];
        TreeSet<Long> chosen = new TreeSet<>();
        for (int i = 0; i < rows; i++) {
            documents[i] = eligible[Draws.uniform(random, eligible.length)];
            chosen.add(documents[i]);
        }
        var texts = tokens.documents(chosen);
        for (int i = 0; i < rows; i++) {
            int[] prompt = new int[prefixTokens + 1];
            prompt[0] = bos;
            System.arraycopy(texts.get(documents[i]), 0, prompt, 1, prefixTokens);
            prompts.add(new Sample(prompt, tokens.corpus().corpusId(), documents[i], 0));
        }
        return prompts;
    }

    /** Drops the rows with the highest perplexity until n remain; the kept rows stay in order. */
    static List<Sample> keepMostLikely(CausalLm model, List<Sample> rows, int n) {
        if (rows.size() == n) {
            return rows;
        }
        double[] perplexity = perplexities(model, rows.stream().map(Sample::tokens).toList());
        Integer[] order = new Integer[rows.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        // ascending perplexity, ties by row index, so the choice is deterministic
        Arrays.sort(order, (a, b) -> perplexity[a] != perplexity[b] ? Double.compare(perplexity[a], perplexity[b]) : a - b);
        boolean[] keep = new boolean[rows.size()];
        for (int r = 0; r < n; r++) {
            keep[order[r]] = true;
        }
        List<Sample> kept = new ArrayList<>(n);
        for (int i = 0; i < rows.size(); i++) {
            if (keep[i]) {
                kept.add(rows.get(i));
            }
        }
        return kept;
    }

    /** exp(mean negative log-likelihood) of each row under the model, 8 rows per forward. */
    public static double[] perplexities(CausalLm model, List<int[]> rows) {
        double[] perplexity = new double[rows.size()];
        for (int start = 0; start < rows.size(); start += 8) {
            int[][] batch = rows.subList(start, Math.min(rows.size(), start + 8)).toArray(int[][]::new);
            double[][] logProbs = TokenLogProbs.of(model, batch).logProbs();
            for (int i = 0; i < batch.length; i++) {
                double nll = 0;
                for (double logProb : logProbs[i]) {
                    nll -= logProb;
                }
                perplexity[start + i] = Math.exp(nll / Math.max(1, logProbs[i].length));
            }
        }
        return perplexity;
    }
}

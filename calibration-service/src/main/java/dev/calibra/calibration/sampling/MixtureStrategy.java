package dev.calibra.calibration.sampling;

import dev.calibra.model.generation.SplitMix64;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A weighted mix of corpora. Row counts per corpus are n * w_i / sum(w) rounded by largest remainder
 * (ties to the earlier corpus); each corpus gives its rows as concat windows drawn with its own seed
 * (the i-th draw of the master generator); the rows are then shuffled together. Every row keeps its corpus.
 */
public final class MixtureStrategy implements Strategy {

    @Override
    public String name() {
        return "mixture";
    }

    @Override
    public String version() {
        return "1";
    }

    @Override
    public String description() {
        return "weighted mix of corpora (concat windows from each), each sample's origin recorded";
    }

    @Override
    public List<ParameterSpec> parameters() {
        return List.of(SEPARATOR, CHUNK_CHARS, PREPEND_BOS);
    }

    @Override
    public List<Sample> draw(DrawRequest request) throws IOException {
        List<CorpusInput> corpora = request.corpora();
        if (corpora.isEmpty()) {
            throw new IllegalArgumentException("strategy mixture needs at least one corpus");
        }
        for (int i = 0; i < corpora.size(); i++) {
            double weight = corpora.get(i).weight();
            if (!(weight > 0) || Double.isInfinite(weight)) {
                throw new IllegalArgumentException("corpora[" + i + "] (" + corpora.get(i).name() + ") weight must be > 0, got "
                        + weight);
            }
        }
        int[] counts = counts(corpora, request.nSamples());
        SplitMix64 master = new SplitMix64(request.seed());
        List<Sample> rows = new ArrayList<>(request.nSamples());
        for (int i = 0; i < corpora.size(); i++) {
            long corpusSeed = master.nextLong();
            if (counts[i] > 0) {
                rows.addAll(ConcatWindowStrategy.drawFrom(request.tokens(corpora.get(i)), request,
                        new SplitMix64(corpusSeed), counts[i]));
            }
        }
        // Fisher-Yates over the rows so sources interleave.
        for (int i = rows.size() - 1; i > 0; i--) {
            int j = Draws.uniform(master, i + 1);
            Sample swap = rows.get(i);
            rows.set(i, rows.get(j));
            rows.set(j, swap);
        }
        return rows;
    }

    /** Largest-remainder apportionment of n rows by weight. */
    static int[] counts(List<CorpusInput> corpora, int n) {
        double total = corpora.stream().mapToDouble(CorpusInput::weight).sum();
        int[] counts = new int[corpora.size()];
        double[] remainders = new double[corpora.size()];
        int assigned = 0;
        for (int i = 0; i < counts.length; i++) {
            double exact = n * corpora.get(i).weight() / total;
            counts[i] = (int) Math.floor(exact);
            remainders[i] = exact - counts[i];
            assigned += counts[i];
        }
        while (assigned < n) {
            int best = 0;
            for (int i = 1; i < counts.length; i++) {
                if (remainders[i] > remainders[best]) {
                    best = i;
                }
            }
            counts[best]++;
            remainders[best] = -1;
            assigned++;
        }
        return counts;
    }
}

package dev.calibra.cli.commands;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.calibra.cli.CalibraCommand;
import dev.calibra.cli.FlagValues;
import dev.calibra.cli.Output;
import dev.calibra.cli.Services;
import dev.calibra.proto.v1.CalibrationGrpc;
import dev.calibra.proto.v1.CalibrationSet;
import dev.calibra.proto.v1.CalibrationSpec;
import dev.calibra.proto.v1.SampleCalibrationSetRequest;
import dev.calibra.proto.v1.WeightedCorpus;
import dev.calibra.rpc.CalibraException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** calibra calibrate: draw a calibration set and register it (the same request returns the same set). */
@Command(name = "calibrate", description = "Draw a reproducible calibration set from registered corpora and register it.")
public final class CalibrateCommand implements Callable<Integer> {

    @ParentCommand CalibraCommand root;

    @Option(names = "--corpus", description = "Corpus id or name; repeat for a mixture.")
    List<String> corpora = new ArrayList<>();

    @Option(names = "--weights", split = ",", converter = FlagValues.PositiveNumber.class, description = "Mixture weights, one per --corpus, > 0 (default 1 each).")
    List<Double> weights = new ArrayList<>();

    @Option(names = "--model", required = true, description = "Model id or name; it supplies the tokenizer (and weights).")
    String model;

    @Option(names = "--strategy", defaultValue = "random_window",
            description = "random_window, concat_window, disjoint_sets, mixture, self_generated, random_tokens or chat.")
    String strategy;

    @Option(names = {"-n", "--samples"}, defaultValue = "128", converter = FlagValues.Positive.class, description = "Number of samples (rows).")
    int samples;

    @Option(names = "--seq-len", defaultValue = "2048", converter = FlagValues.Positive.class, description = "Tokens per sample.")
    int seqLen;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the sampler's SplitMix64 generator.")
    long seed;

    @Option(names = {"-P", "--param"}, description = "Strategy parameter KEY=VALUE (see the strategy list); repeatable.")
    Map<String, String> parameters = new LinkedHashMap<>();

    @Option(names = "--drop-anomalous", description = "Drop samples flagged anomalous and draw replacements.")
    boolean dropAnomalous;

    @Override
    public Integer call() {
        Output output = root.output();
        if (!weights.isEmpty() && weights.size() != corpora.size()) {
            throw CalibraException.invalidArgument("--weights has " + weights.size() + " values for " + corpora.size()
                    + " --corpus options");
        }
        CalibrationSpec.Builder spec = CalibrationSpec.newBuilder().setStrategy(strategy).setNSamples(samples)
                .setSeqLen(seqLen).setSeed(seed).setModelId(model).putAllParameters(parameters);
        for (int i = 0; i < corpora.size(); i++) {
            spec.addCorpora(WeightedCorpus.newBuilder().setCorpusId(corpora.get(i))
                    .setWeight(weights.isEmpty() ? 1 : weights.get(i)));
        }
        output.note("drawing " + samples + " x " + seqLen + " tokens with " + strategy + " ...");
        try (Services services = root.services()) {
            CalibrationSet set = CalibrationGrpc.newBlockingStub(services.channel("calibration")).sampleCalibrationSet(
                    SampleCalibrationSetRequest.newBuilder().setSpec(spec).setDropAnomalous(dropAnomalous).build());
            output.line(CalibrationCommand.summary(set));
            output.line("  artifact  " + CalibrationCommand.artifactPath(set));
            output.line(String.format("  stats     %d distinct tokens, %.2f bits entropy, %d duplicates, 13-gram contamination %.4f,"
                            + " mean perplexity %.2f, %d anomalous", set.getStatistics().getDistinctTokens(),
                    set.getStatistics().getTokenEntropyBits(), set.getStatistics().getDuplicateSamples(),
                    set.getStatistics().getContamination13Gram(), set.getStatistics().getMeanPerplexity(),
                    set.getStatistics().getAnomalousSamplesCount()));
            ObjectNode json = CalibrationCommand.toJson(set);
            output.emit(json);
        }
        return 0;
    }
}

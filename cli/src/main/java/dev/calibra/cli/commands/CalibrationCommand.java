package dev.calibra.cli.commands;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.calibra.cli.Artifacts;
import dev.calibra.cli.CalibraCommand;
import dev.calibra.cli.FlagValues;
import dev.calibra.cli.Output;
import dev.calibra.cli.Services;
import dev.calibra.proto.v1.CalibrationGrpc;
import dev.calibra.proto.v1.CalibrationSample;
import dev.calibra.proto.v1.CalibrationSet;
import dev.calibra.proto.v1.GetCalibrationSetRequest;
import dev.calibra.proto.v1.GetCalibrationSetSamplesRequest;
import dev.calibra.proto.v1.ListCalibrationSetsRequest;
import dev.calibra.proto.v1.ListCalibrationSetsResponse;
import dev.calibra.proto.v1.RegistryGrpc;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Iterator;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** calibra calibration list|show|export. */
@Command(name = "calibration", description = "Inspect and export registered calibration sets.",
        subcommands = {CalibrationCommand.ListSets.class, CalibrationCommand.Show.class, CalibrationCommand.Export.class})
public final class CalibrationCommand {

    private static final ObjectMapper LINES = new ObjectMapper();

    @ParentCommand CalibraCommand root;

    static String summary(CalibrationSet set) {
        return String.format("%-28s %s  %-14s %4d x %-5d seed %-6d %s", set.getId(), set.getFingerprint().substring(0, 12),
                set.getSpec().getStrategy(), set.getSpec().getNSamples(), set.getSpec().getSeqLen(), set.getSpec().getSeed(),
                set.getSpec().getParametersMap());
    }

    static String artifactPath(CalibrationSet set) {
        return Artifacts.shown(set.getArtifactUri());
    }

    /** The set as JSON with the contract's artifact_path (absolute safetensors file). */
    static ObjectNode toJson(CalibrationSet set) {
        ObjectNode json = Output.tree(set);
        json.put("artifact_path", artifactPath(set));
        return json;
    }

    static Iterator<CalibrationSample> samples(Services services, String id, int max) {
        return CalibrationGrpc.newBlockingStub(services.channel("calibration")).getCalibrationSet(
                GetCalibrationSetSamplesRequest.newBuilder().setId(id).setMaxSamples(max).build());
    }

    @Command(name = "list", description = "List calibration sets, newest first.")
    static final class ListSets implements Callable<Integer> {
        @ParentCommand CalibrationCommand parent;

        @Option(names = "--corpus", defaultValue = "", description = "Only sets drawn from this corpus id.")
        String corpus;

        @Option(names = "--limit", defaultValue = "100", converter = FlagValues.Positive.class)
        int limit;

        @Override
        public Integer call() {
            Output output = parent.root.output();
            ObjectNode json = output.object();
            ArrayNode sets = json.putArray("calibration_sets");
            try (Services services = parent.root.services()) {
                String token = "";
                do {
                    ListCalibrationSetsResponse page = RegistryGrpc.newBlockingStub(services.channel("registry"))
                            .listCalibrationSets(ListCalibrationSetsRequest.newBuilder().setCorpusId(corpus)
                                    .setPageSize(Math.min(limit - sets.size(), 1000)).setPageToken(token).build());
                    for (CalibrationSet set : page.getCalibrationSetsList()) {
                        sets.add(toJson(set));
                        output.line(summary(set));
                    }
                    token = page.getNextPageToken();
                } while (!token.isEmpty() && sets.size() < limit);
            }
            if (sets.isEmpty()) {
                output.line("no calibration sets yet; draw one with: calibra calibrate --corpus NAME --model ID");
            }
            output.emit(json);
            return 0;
        }
    }

    @Command(name = "show", description = "Show a set's spec, statistics and its first samples as text.")
    static final class Show implements Callable<Integer> {
        @ParentCommand CalibrationCommand parent;

        @Parameters(paramLabel = "ID", description = "Calibration set id or fingerprint.")
        String id;

        @Option(names = "--samples", defaultValue = "3", converter = FlagValues.NonNegative.class, description = "How many samples to print (0: none).")
        int samples;

        @Override
        public Integer call() {
            Output output = parent.root.output();
            try (Services services = parent.root.services()) {
                CalibrationSet set = RegistryGrpc.newBlockingStub(services.channel("registry"))
                        .getCalibrationSet(GetCalibrationSetRequest.newBuilder().setId(id).build());
                ObjectNode json = toJson(set);
                output.line(summary(set));
                output.line("  artifact  " + artifactPath(set));
                output.line("  sampler   " + set.getSamplerVersion() + ", tokenizer " + set.getTokenizerSha256().substring(0, 12));
                output.line("  corpora   " + set.getSpec().getCorporaList().stream()
                        .map(c -> c.getCorpusId() + " x" + c.getWeight()).toList());
                output.line("  stats     " + Output.tree(set.getStatistics()));
                ArrayNode rows = json.putArray("samples");
                if (samples > 0) {
                    for (Iterator<CalibrationSample> it = samples(services, set.getId(), samples); it.hasNext(); ) {
                        CalibrationSample sample = it.next();
                        rows.add(Output.tree(sample));
                        output.line("--- sample " + sample.getIndex() + "  " + Output.tree(sample.getProvenance()).toString());
                        output.line(sample.getText());
                    }
                }
                output.emit(json);
            }
            return 0;
        }
    }

    @Command(name = "export", description = "Write a set as JSONL: a header line with the spec, then one line per sample.")
    static final class Export implements Callable<Integer> {
        @ParentCommand CalibrationCommand parent;

        @Parameters(paramLabel = "ID", description = "Calibration set id or fingerprint.")
        String id;

        @Option(names = "--out", required = true, description = "JSONL file to write.")
        Path out;

        @Override
        public Integer call() throws IOException {
            Output output = parent.root.output();
            Path target = out.toAbsolutePath().normalize();
            Path temporary = target.resolveSibling(target.getFileName() + ".partial");
            int count = 0;
            CalibrationSet set;
            try (Services services = parent.root.services()) {
                set = RegistryGrpc.newBlockingStub(services.channel("registry"))
                        .getCalibrationSet(GetCalibrationSetRequest.newBuilder().setId(id).build());
                try (BufferedWriter writer = Files.newBufferedWriter(temporary, StandardCharsets.UTF_8)) {
                    ObjectNode header = toJson(set);
                    header.put("record", "calibration_set");
                    writer.write(LINES.writeValueAsString(header));
                    writer.newLine();
                    for (Iterator<CalibrationSample> it = samples(services, set.getId(), 0); it.hasNext(); ) {
                        ObjectNode line = Output.tree(it.next());
                        line.put("record", "sample");
                        writer.write(LINES.writeValueAsString(line));
                        writer.newLine();
                        count++;
                    }
                }
                Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(temporary);
            }
            output.line("wrote " + count + " samples of " + set.getId() + " to " + target);
            ObjectNode json = output.object();
            json.put("id", set.getId()).put("fingerprint", set.getFingerprint()).put("out", target.toString())
                    .put("samples", count);
            output.emit(json);
            return 0;
        }
    }
}

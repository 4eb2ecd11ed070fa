package dev.calibra.cli.commands;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.calibra.cli.CalibraCommand;
import dev.calibra.cli.ModelSources;
import dev.calibra.cli.Output;
import dev.calibra.cli.Services;
import dev.calibra.cli.stack.Stack;
import dev.calibra.proto.v1.AddCorpusRequest;
import dev.calibra.proto.v1.CalibrationGrpc;
import dev.calibra.proto.v1.Corpus;
import dev.calibra.proto.v1.Model;
import dev.calibra.proto.v1.RegisterModelRequest;
import dev.calibra.proto.v1.RegistryGrpc;
import dev.calibra.rpc.CalibraException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * calibra demo: starts the local stack, registers the shipped model and corpora (idempotent: the
 * registry returns existing records for the same content), runs examples/demo.yaml with a progress
 * display and writes its report. Running it again continues or reuses the same study.
 */
@Command(name = "demo", description = "Start the local stack and run the demo study (examples/demo.yaml).")
public final class DemoCommand implements Callable<Integer> {

    static final String TINYSTORIES = "corpora/tinystories_valid_first.txt";
    static final String TINYSTORIES_CALIBRATION = "tinystories-calibration";
    static final String TINYSTORIES_EVALUATION = "tinystories-eval";

    /** The corpora demo.yaml names, with their files under the assets folder and how documents are split. */
    record DemoCorpus(String name, String file, String documentRule, String domain, String split) {}

    static final List<DemoCorpus> CORPORA = List.of(
            new DemoCorpus("c4", "corpora/c4_en_train00000_first1000.jsonl", "", "web", "train"),
            new DemoCorpus("wikitext2-valid", "corpora/wikitext2_wiki.valid.tokens", "whole", "wikipedia", "validation"),
            new DemoCorpus("wikitext2-test", "corpora/wikitext2_raw_test.txt", "whole", "wikipedia", "test"),
            new DemoCorpus(TINYSTORIES_CALIBRATION, TINYSTORIES, "whole", "stories", "validation"),
            new DemoCorpus(TINYSTORIES_EVALUATION, TINYSTORIES, "blank-lines", "stories", "validation"),
            new DemoCorpus("abc-science-news", "corpora/abc_science_news.txt", "whole", "news", "train"),
            new DemoCorpus("arxiv", "corpora/redpajama_arxiv_sample20.jsonl", "", "science", "train"),
            // not in demo.yaml: examples/chat.yaml calibrates on it once the demo has registered it
            new DemoCorpus("tinystories-chat", "corpora/tinystories_chat.jsonl", "chat", "chat", "train"));

    @ParentCommand CalibraCommand root;

    @Option(names = "--spec", description = "Study spec; default: examples/demo.yaml in the checkout.")
    Path spec;

    @Option(names = "--out", description = "Folder for the reports; default: STATE_DIR/reports.")
    Path out;

    @Override
    public Integer call() throws Exception {
        Output output = root.output();
        Stack stack = new Stack(root.stackConfig(), output::note);
        stack.up();
        Path assets = root.stackConfig().assets();
        Path specFile = spec != null ? spec : root.stackConfig().root().resolve("examples/demo.yaml");
        String yaml = StudyCommand.readSpec(specFile);
        try (Services services = root.services()) {
            Model model = registerModel(services, assets.resolve("models/stories260K"));
            output.note("model " + model.getName() + " " + model.getId());
            yaml = rename(yaml, "models:\\s*\\[", "stories260K", model.getName());
            Map<String, Path> split = splitHeldOut(assets.resolve(TINYSTORIES), root.stackConfig().stateDir().resolve("demo-data"));
            for (DemoCorpus demo : CORPORA) {
                Path file = split.getOrDefault(demo.name(), assets.resolve(demo.file()));
                Corpus corpus = CalibrationGrpc.newBlockingStub(services.channel("calibration")).addCorpus(AddCorpusRequest.newBuilder()
                        .setName(demo.name()).setPath(file.toString()).setDocumentRule(demo.documentRule())
                        .setDomain(demo.domain()).setSplit(demo.split()).build());
                output.note("corpus " + corpus.getName() + " " + corpus.getId() + " (" + corpus.getDocumentCount() + " documents)");
                // The same content registered earlier under another name is that record: use its id.
                yaml = rename(yaml, "corpus:\\s*", demo.name(), corpus.getName().equals(demo.name()) ? demo.name() : corpus.getId());
            }
            Path reports = out != null ? out : root.stackConfig().stateDir().resolve("reports");
            ObjectNode json = StudyCommand.runStudy(services, output, yaml, StudyCommand.requestIdOf(yaml), reports,
                    root.stackConfig().artifactsDir());
            output.line("the stack stays up: ./calibra stack down");
            output.emit(json);
        }
        return 0;
    }

    /**
     * TinyStories is both a calibration source and a perplexity text in the demo, so it is split at a
     * paragraph boundary: the first fifth is held out for perplexity, the rest is drawn from for
     * calibration, and no calibration window can overlap the evaluated text. The two parts are derived
     * deterministically (same bytes every time, so registration stays idempotent) into the state
     * directory; the original file is not touched.
     */
    static Map<String, Path> splitHeldOut(Path source, Path folder) throws java.io.IOException {
        if (!Files.isRegularFile(source)) {
            throw CalibraException.invalidArgument("the demo corpus " + source + " is missing; set CALIBRA_ASSETS to a folder with the repository's assets/ layout");
        }
        String[] paragraphs = Files.readString(source, StandardCharsets.UTF_8).split("\n\n", -1);
        int heldOut = paragraphs.length / 5;
        String evaluation = String.join("\n\n", Arrays.copyOfRange(paragraphs, 0, heldOut));
        String calibration = String.join("\n\n", Arrays.copyOfRange(paragraphs, heldOut, paragraphs.length));
        Files.createDirectories(folder);
        return Map.of(TINYSTORIES_EVALUATION, writeIfChanged(folder.resolve("tinystories-eval.txt"), evaluation),
                TINYSTORIES_CALIBRATION, writeIfChanged(folder.resolve("tinystories-calibration.txt"), calibration));
    }

    private static Path writeIfChanged(Path file, String text) throws java.io.IOException {
        if (!Files.isRegularFile(file) || !Files.readString(file, StandardCharsets.UTF_8).equals(text)) {
            Path temp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(temp, text, StandardCharsets.UTF_8);
            Files.move(temp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        return file;
    }

    /** Registers the model folder (as `models register` does); the same content returns the existing model. */
    static Model registerModel(Services services, Path folder) {
        if (!Files.isDirectory(folder)) {
            throw CalibraException.invalidArgument("the demo model " + folder + " is missing; set CALIBRA_ASSETS to a folder with"
                    + " the repository's assets/ layout");
        }
        RegisterModelRequest request = ModelSources.describe(new ModelSources.Source(folder, null), folder.getFileName().toString(),
                "the demo model").setDescription("the demo model").build();
        return RegistryGrpc.newBlockingStub(services.channel("registry")).registerModel(request);
    }

    /** Replaces a name where it follows {@code keyRegex} ("corpus: c4", "models: [stories260K"), not in labels. */
    static String rename(String yaml, String keyRegex, String from, String to) {
        if (from.equals(to)) {
            return yaml;
        }
        return yaml.replaceAll("(" + keyRegex + ")" + Pattern.quote(from) + "(?=[\\s\\],}])", "$1" + Matcher.quoteReplacement(to));
    }
}

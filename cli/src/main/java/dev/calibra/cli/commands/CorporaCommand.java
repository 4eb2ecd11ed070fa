package dev.calibra.cli.commands;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.calibra.cli.Artifacts;
import dev.calibra.cli.CalibraCommand;
import dev.calibra.cli.FlagValues;
import dev.calibra.cli.Output;
import dev.calibra.cli.Services;
import dev.calibra.proto.v1.AddCorpusRequest;
import dev.calibra.proto.v1.CalibrationGrpc;
import dev.calibra.proto.v1.Corpus;
import dev.calibra.proto.v1.ListCorporaRequest;
import dev.calibra.proto.v1.ListCorporaResponse;
import dev.calibra.proto.v1.RegistryGrpc;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** calibra corpora add|list. */
@Command(name = "corpora", description = "Register and list text corpora (calibration sources).",
        subcommands = {CorporaCommand.Add.class, CorporaCommand.ListCorpora.class})
public final class CorporaCommand {

    @ParentCommand CalibraCommand root;

    static String summary(Corpus corpus) {
        return String.format("%-28s %-28s %-12s %8d docs  %-16s %s", corpus.getId(), corpus.getName(), corpus.getDomain(),
                corpus.getDocumentCount(), corpus.getDocumentRule(), corpus.getSplit());
    }

    /** The corpus as JSON with the contract's documents key and the absolute source path. */
    static ObjectNode toJson(Corpus corpus) {
        ObjectNode json = Output.tree(corpus);
        json.put("documents", corpus.getDocumentCount());
        json.put("path", Artifacts.shown(corpus.getSourceUri()));
        return json;
    }

    @Command(name = "add", description = "Read and validate a corpus file or folder (.txt, .jsonl, optionally .gz) and register it.")
    static final class Add implements Callable<Integer> {
        @ParentCommand CorporaCommand parent;

        @Option(names = "--path", required = true, description = "Corpus file or folder.")
        Path path;

        @Option(names = "--name", required = true, description = "Name in the registry.")
        String name;

        @Option(names = "--documents", defaultValue = "blank-lines",
                description = "How text files split into documents: blank-lines (default), lines or whole. For .jsonl: chat (or chat:FIELD) reads each line's messages as a conversation for the chat strategy; otherwise --text-field.")
        String documents;

        @Option(names = "--text-field", defaultValue = "text", description = "JSONL field holding the text (default text).")
        String textField;

        @Option(names = "--domain", defaultValue = "", description = "Domain label, e.g. web, wikipedia, code.")
        String domain;

        @Option(names = "--split", defaultValue = "", description = "Split label, e.g. train, validation.")
        String split;

        @Option(names = "--licence", defaultValue = "", description = "Licence note.")
        String licence;

        @Override
        public Integer call() {
            Output output = parent.root.output();
            try (Services services = parent.root.services()) {
                Corpus corpus = CalibrationGrpc.newBlockingStub(services.channel("calibration")).addCorpus(
                        AddCorpusRequest.newBuilder().setName(name).setPath(path.toAbsolutePath().normalize().toString())
                                .setDocumentRule(documents).setTextField(textField).setDomain(domain).setSplit(split)
                                .setLicence(licence).build());
                if (!corpus.getName().equals(name)) {
                    // Registration is idempotent by content: the existing corpus keeps its name.
                    output.note("note: this content is already registered as '" + corpus.getName() + "' (" + corpus.getId()
                            + "); use that name or id");
                }
                output.line(summary(corpus));
                output.emit(toJson(corpus));
            }
            return 0;
        }
    }

    @Command(name = "list", description = "List registered corpora, newest first.")
    static final class ListCorpora implements Callable<Integer> {
        @ParentCommand CorporaCommand parent;

        @Option(names = "--limit", defaultValue = "100", converter = FlagValues.Positive.class, description = "At most this many corpora.")
        int limit;

        @Override
        public Integer call() {
            Output output = parent.root.output();
            ObjectNode json = output.object();
            ArrayNode corpora = json.putArray("corpora");
            try (Services services = parent.root.services()) {
                String token = "";
                do {
                    ListCorporaResponse page = RegistryGrpc.newBlockingStub(services.channel("registry")).listCorpora(
                            ListCorporaRequest.newBuilder().setPageSize(Math.min(limit - corpora.size(), 1000))
                                    .setPageToken(token).build());
                    for (Corpus corpus : page.getCorporaList()) {
                        corpora.add(toJson(corpus));
                        output.line(summary(corpus));
                    }
                    token = page.getNextPageToken();
                } while (!token.isEmpty() && corpora.size() < limit);
            }
            if (corpora.isEmpty()) {
                output.line("no corpora registered yet; add one with: calibra corpora add --path FILE --name NAME");
            }
            output.emit(json);
            return 0;
        }
    }
}

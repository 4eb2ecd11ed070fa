package dev.calibra.cli.commands;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.calibra.cli.CalibraCommand;
import dev.calibra.cli.FlagValues;
import dev.calibra.cli.Output;
import dev.calibra.cli.Services;
import dev.calibra.model.ModelFolder;
import dev.calibra.proto.v1.GetModelRequest;
import dev.calibra.proto.v1.ListModelsRequest;
import dev.calibra.proto.v1.ListModelsResponse;
import dev.calibra.proto.v1.Model;
import dev.calibra.proto.v1.RegisterModelRequest;
import dev.calibra.proto.v1.RegistryGrpc;
import dev.calibra.rpc.CalibraException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** calibra models register|list|show. */
@Command(name = "models", description = "Register and inspect models.",
        subcommands = {ModelsCommand.Register.class, ModelsCommand.ListModels.class, ModelsCommand.Show.class})
public final class ModelsCommand {

    @ParentCommand CalibraCommand root;

    static RegistryGrpc.RegistryBlockingStub registry(Services services) {
        return RegistryGrpc.newBlockingStub(services.channel("registry"));
    }

    static String summary(Model model) {
        return String.format("%-28s %-24s %-18s %12d params  %s%s", model.getId(), model.getName(), model.getArchitecture(),
                model.getParameterCount(), model.getDtype(),
                model.hasCompression() ? "  <- " + model.getParentModelId() + " " + model.getCompression().getMethod() : "");
    }

    /** The model as JSON, with the contract's path (absolute folder) and parameters keys. */
    static ObjectNode toJson(Model model) {
        ObjectNode json = Output.tree(model);
        json.put("path", Path.of(java.net.URI.create(model.getArtifactUri())).toString());
        json.put("parameters", model.getParameterCount());
        return json;
    }

    @Command(name = "register", description = "Validate a HuggingFace model folder and register it as a base model.")
    static final class Register implements Callable<Integer> {
        @ParentCommand ModelsCommand parent;

        @Option(names = "--path", required = true, description = "Model folder (config.json, safetensors, tokenizer.json).")
        Path path;

        @Option(names = "--name", description = "Name in the registry; default: the folder's name.")
        String name;

        @Option(names = "--description", defaultValue = "")
        String description;

        @Override
        public Integer call() throws Exception {
            Output output = parent.root.output();
            Path folder = path.toAbsolutePath().normalize();
            if (!Files.isDirectory(folder)) {
                throw CalibraException.invalidArgument("--path " + folder + " is not a folder");
            }
            RegisterModelRequest.Builder request = RegisterModelRequest.newBuilder()
                    .setName(name != null ? name : folder.getFileName().toString())
                    .setArtifactUri(folder.toString())
                    .setDescription(description);
            // Validate here, where model-core runs: config, weights against it, tokenizer against the vocabulary.
            try (ModelFolder model = ModelFolder.open(folder)) {
                model.openTokenizer().close();
                request.setArchitecture(model.architecture().hfName())
                        .setParameterCount(model.parameterCount())
                        .setDtype(model.dtype())
                        .setSha256(model.sha256());
            } catch (java.io.IOException | RuntimeException invalid) {
                throw CalibraException.invalidArgument("--path " + folder + " is not a usable model folder: " + invalid.getMessage());
            }
            try (Services services = parent.root.services()) {
                Model model = registry(services).registerModel(request.build());
                output.line(summary(model));
                output.emit(toJson(model));
            }
            return 0;
        }
    }

    @Command(name = "list", description = "List registered models, newest first.")
    static final class ListModels implements Callable<Integer> {
        @ParentCommand ModelsCommand parent;

        @Option(names = "--limit", defaultValue = "100", converter = FlagValues.Positive.class, description = "At most this many models.")
        int limit;

        @Option(names = "--parent", defaultValue = "", description = "Only models derived from this model id.")
        String parentId;

        @Override
        public Integer call() {
            Output output = parent.root.output();
            ObjectNode json = output.object();
            ArrayNode models = json.putArray("models");
            try (Services services = parent.root.services()) {
                String token = "";
                do {
                    ListModelsResponse page = registry(services).listModels(ListModelsRequest.newBuilder()
                            .setPageSize(Math.min(limit - models.size(), 1000)).setPageToken(token).setParentModelId(parentId).build());
                    for (Model model : page.getModelsList()) {
                        models.add(toJson(model));
                        output.line(summary(model));
                    }
                    token = page.getNextPageToken();
                } while (!token.isEmpty() && models.size() < limit);
            }
            if (models.isEmpty()) {
                output.line("no models registered yet; add one with: calibra models register --path DIR");
            }
            output.emit(json);
            return 0;
        }
    }

    @Command(name = "show", description = "Show one model with its lineage.")
    static final class Show implements Callable<Integer> {
        @ParentCommand ModelsCommand parent;

        @Parameters(paramLabel = "ID", description = "Model id or name.")
        String id;

        @Override
        public Integer call() {
            Output output = parent.root.output();
            try (Services services = parent.root.services()) {
                Model model = registry(services).getModel(GetModelRequest.newBuilder().setId(id).build());
                output.line(summary(model));
                output.line("  artifact  " + model.getArtifactUri());
                output.line("  sha256    " + model.getSha256());
                output.line("  created   " + java.time.Instant.ofEpochSecond(model.getCreatedAt().getSeconds()));
                if (model.hasCompression()) {
                    output.line("  lineage   parent " + model.getParentModelId() + ", " + model.getCompression().getMethod() + " "
                            + model.getCompression().getParametersMap() + ", calibration set "
                            + model.getCompression().getCalibrationSetId() + ", job " + model.getProducingJobId());
                }
                output.emit(toJson(model));
            }
            return 0;
        }
    }
}

package dev.calibra.cli.commands;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.calibra.artifacts.ArtifactStore;
import dev.calibra.cli.Artifacts;
import dev.calibra.cli.CalibraCommand;
import dev.calibra.cli.FlagValues;
import dev.calibra.cli.ModelSources;
import dev.calibra.cli.Output;
import dev.calibra.cli.Services;
import dev.calibra.hub.HubReference;
import dev.calibra.model.ModelFolder;
import dev.calibra.proto.v1.GetModelRequest;
import dev.calibra.proto.v1.ListModelsRequest;
import dev.calibra.proto.v1.ListModelsResponse;
import dev.calibra.proto.v1.Model;
import dev.calibra.proto.v1.QueryScoresRequest;
import dev.calibra.proto.v1.QueryScoresResponse;
import dev.calibra.proto.v1.RegisterModelRequest;
import dev.calibra.proto.v1.RegistryGrpc;
import dev.calibra.proto.v1.Score;
import dev.calibra.proto.v1.WhoAmIRequest;
import dev.calibra.rpc.CalibraException;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** calibra models register|pull|list|show|inspect. */
@Command(name = "models", description = "Register and inspect models.",
        subcommands = {ModelsCommand.Register.class, ModelsCommand.Pull.class, ModelsCommand.ListModels.class,
                ModelsCommand.Show.class, ModelsCommand.Inspect.class})
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
        json.put("path", Artifacts.shown(model.getArtifactUri()));
        json.put("parameters", model.getParameterCount());
        return json;
    }

    @Command(name = "register", description = "Validate a HuggingFace model folder (or pull hf://ORG/NAME@REV) and register it as a base model.")
    static final class Register implements Callable<Integer> {
        @ParentCommand ModelsCommand parent;

        @Option(names = "--path", required = true,
                description = "Model folder (config.json, safetensors, tokenizer.json), or hf://ORG/NAME[@REV] on the Hub.")
        String path;

        @Option(names = "--name", description = "Name in the registry; default: the folder's (or repository's) name.")
        String name;

        @Option(names = "--description", defaultValue = "")
        String description;

        @Override
        public Integer call() {
            Output output = parent.root.output();
            ModelSources.Source source = parent.sources(output).resolve(path, "--path");
            return parent.register(output, source, name, description);
        }
    }

    @Command(name = "pull", description = "Download a model repository from the Hugging Face Hub (HF_ENDPOINT, HF_TOKEN) into the"
            + " hub cache, verifying every file, and register it with its origin.")
    static final class Pull implements Callable<Integer> {
        @ParentCommand ModelsCommand parent;

        @Parameters(paramLabel = "ORG/NAME", description = "Repository id, or hf://ORG/NAME[@REV].")
        String repository;

        @Option(names = "--revision", description = "Branch, tag or commit (default: main, or the @REV given).")
        String revision;

        @Option(names = "--include", description = "Only files matching this glob (as huggingface-cli's --include); repeatable.")
        List<String> includes = new ArrayList<>();

        @Option(names = "--name", description = "Name in the registry; default: the repository's name.")
        String name;

        @Option(names = "--description", defaultValue = "")
        String description;

        @Override
        public Integer call() {
            Output output = parent.root.output();
            HubReference reference = ModelSources.parse(repository.startsWith("hf://") ? repository : "hf://" + repository,
                    "ORG/NAME");
            if (revision != null) {
                if (repository.contains("@") && !reference.revision().equals(revision)) {
                    throw CalibraException.invalidArgument("--revision " + revision + " contradicts the @" + reference.revision()
                            + " in " + repository + "; give one");
                }
                reference = ModelSources.parse("hf://" + reference.repoId() + "@" + revision, "--revision");
            }
            ModelSources.Source source = parent.sources(output).pull(reference, includes);
            return parent.register(output, source, name, description);
        }
    }

    @Command(name = "inspect", description = "Print what Calibra reads from a model folder (no stack needed): family, sizes,"
            + " RoPE, sliding windows, the linears compression will touch; or what it refuses and why.")
    static final class Inspect implements Callable<Integer> {
        @ParentCommand ModelsCommand parent;

        @Parameters(paramLabel = "DIR", description = "Model folder, or hf://ORG/NAME[@REV] (pulled into the hub cache).")
        String path;

        @Override
        public Integer call() {
            Output output = parent.root.output();
            ModelSources.Source source = parent.sources(output).resolve(path, "DIR");
            try (ModelFolder folder = ModelFolder.open(source.folder())) {
                ObjectNode json = ModelInspection.describe(folder, output);
                output.emit(json);
            } catch (java.io.IOException | RuntimeException refused) {
                throw CalibraException.invalidArgument(source.folder() + " is refused: " + refused.getMessage());
            }
            return 0;
        }
    }

    ModelSources sources(Output output) {
        return new ModelSources(root.env(), root.stackConfig(), output);
    }

    /** Validates the folder here, where model-core runs, then registers it (the same content returns the existing model). */
    int register(Output output, ModelSources.Source source, String name, String description) {
        String defaultName = source.pulled() ? source.origin().getRepoId().substring(source.origin().getRepoId().indexOf('/') + 1)
                : source.folder().getFileName().toString();
        RegisterModelRequest.Builder request = ModelSources.describe(source, name != null ? name : defaultName, "--path")
                .setDescription(description);
        try (Services services = root.services()) {
            uploadToTheObjectStore(services, output, source, request);
            Model model = registry(services).registerModel(request.build());
            output.line(summary(model));
            if (model.hasOrigin()) {
                output.line("  origin    " + origin(model));
            }
            output.emit(toJson(model));
        }
        return 0;
    }

    /**
     * With the services' artifacts in an object store (CALIBRA_ARTIFACT_STORE is an s3: URI here too), the folder goes
     * into the team's folder there and is registered by that URI: workers elsewhere cannot read this machine's disk.
     */
    private void uploadToTheObjectStore(Services services, Output output, ModelSources.Source source,
            RegisterModelRequest.Builder request) {
        try {
            Optional<ArtifactStore> store = Artifacts.objectStore(root);
            if (store.isEmpty()) {
                return;
            }
            try (ArtifactStore bucket = store.get()) {
                String team = AdminCommand.admin(services).whoAmI(WhoAmIRequest.getDefaultInstance()).getTeam();
                URI uri = Artifacts.uploadModel(bucket, team, source.folder(), request.getSha256());
                output.note("uploaded " + source.folder() + " to " + uri);
                request.setArtifactUri(uri.toString());
            }
        } catch (IOException e) {
            throw new CalibraException(CalibraException.Kind.UNAVAILABLE, "cannot upload " + source.folder()
                    + " to the artifact store: " + e.getMessage());
        }
    }

    static String origin(Model model) {
        return "hf://" + model.getOrigin().getRepoId() + "@" + model.getOrigin().getRevision() + " (commit "
                + model.getOrigin().getCommit() + " on " + model.getOrigin().getHubEndpoint() + ")";
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

    @Command(name = "show", description = "Show one model: its lineage or origin and every score recorded for it.")
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
                if (model.hasOrigin()) {
                    output.line("  origin    " + origin(model));
                }
                if (model.hasCompression()) {
                    output.line("  lineage   parent " + model.getParentModelId() + ", " + model.getCompression().getMethod() + " "
                            + model.getCompression().getParametersMap() + ", calibration set "
                            + model.getCompression().getCalibrationSetId() + ", job " + model.getProducingJobId());
                }
                List<Score> scores = scores(services, model.getId());
                output.line(scores.isEmpty() ? "  scores    none yet; calibra eval --model " + model.getName() + " --tasks ..."
                        : "  scores");
                for (Score score : scores) {
                    output.line(String.format("    %-18s %-16s %10.4f ± %.4f  n=%d  %s", score.getTask(), score.getMetric(),
                            score.getValue(), score.getStderr(), score.getN(), score.getSettingsMap()));
                }
                ObjectNode json = toJson(model);
                ArrayNode scoreList = json.putArray("scores");
                scores.forEach(score -> scoreList.add(Output.tree(score)));
                output.emit(json);
            }
            return 0;
        }

        /** Every score of the model, newest first as the registry pages them. */
        private static List<Score> scores(Services services, String modelId) {
            List<Score> scores = new ArrayList<>();
            String token = "";
            do {
                QueryScoresResponse page = registry(services).queryScores(QueryScoresRequest.newBuilder().setModelId(modelId)
                        .setPageSize(1000).setPageToken(token).build());
                scores.addAll(page.getScoresList());
                token = page.getNextPageToken();
            } while (!token.isEmpty());
            return scores;
        }
    }
}

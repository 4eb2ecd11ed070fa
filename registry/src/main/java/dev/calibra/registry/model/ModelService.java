package dev.calibra.registry.model;

import dev.calibra.artifacts.ContentHash;
import dev.calibra.proto.v1.RegisterModelRequest;
import dev.calibra.registry.support.ArtifactPaths;
import dev.calibra.registry.support.Checks;
import dev.calibra.registry.support.Ids;
import dev.calibra.registry.support.Json;
import dev.calibra.registry.support.Page;
import dev.calibra.rpc.CalibraException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.calibra.registry.support.Times;
import java.util.Optional;

/** Registers and reads models. Registration is idempotent by content, so pipelines can rerun. */
@ApplicationScoped
public class ModelService {

    private final ModelRepository models;

    public ModelService(ModelRepository models) {
        this.models = models;
    }

    @Transactional
    public ModelEntity register(String teamId, RegisterModelRequest request) {
        String name = Checks.required(request.getName(), "name");
        String architecture = Checks.required(request.getArchitecture(), "architecture");
        Checks.positive(request.getParameterCount(), "parameter_count");
        Path folder = ArtifactPaths.existing(Checks.required(request.getArtifactUri(), "artifact_uri"), "artifact_uri");
        if (!Files.isRegularFile(folder.resolve("config.json"))) {
            throw CalibraException.invalidArgument("artifact_uri " + folder + " has no config.json: not a HuggingFace model folder");
        }
        String sha256 = hashOf(folder);
        if (!request.getSha256().isEmpty() && !request.getSha256().equals(sha256)) {
            throw CalibraException.invalidArgument("sha256 " + request.getSha256() + " does not match the content of "
                    + folder + " (" + sha256 + "); the folder changed or the hash was computed differently");
        }
        String parentId = request.getParentModelId();
        if (!parentId.isEmpty() && models.findOwned(teamId, parentId).isEmpty()) {
            throw CalibraException.notFound("parent_model_id " + parentId + " is not a registered model");
        }

        Optional<ModelEntity> sameName = models.findByName(teamId, name);
        if (sameName.isPresent()) {
            if (sameName.get().sha256.equals(sha256)) {
                return sameName.get();
            }
            throw CalibraException.alreadyExists("a model named '" + name + "' is already registered with other content ("
                    + sameName.get().id + "); choose another name");
        }

        ModelEntity model = new ModelEntity();
        model.id = Ids.next("mdl");
        model.teamId = teamId;
        model.name = name;
        model.architecture = architecture;
        model.parameterCount = request.getParameterCount();
        model.dtype = request.getDtype().isEmpty() ? "float32" : request.getDtype();
        model.artifactUri = folder.toUri().toString();
        model.sha256 = sha256;
        model.parentModelId = parentId.isEmpty() ? null : models.findOwned(teamId, parentId).orElseThrow().id;
        model.producingJobId = emptyToNull(request.getProducingJobId());
        if (request.hasCompression()) {
            model.compressionMethod = emptyToNull(request.getCompression().getMethod());
            model.compressionParams = Json.ofMap(request.getCompression().getParametersMap());
            model.calibrationSetId = emptyToNull(request.getCompression().getCalibrationSetId());
        }
        model.description = request.getDescription();
        model.tags = Json.ofList(request.getTagsList());
        model.createdAt = Times.now();
        models.persist(model);
        return model;
    }

    public ModelEntity get(String teamId, String idOrName) {
        Checks.required(idOrName, "id");
        return models.findOwned(teamId, idOrName)
                .orElseThrow(() -> CalibraException.notFound("model " + idOrName + " is not registered"));
    }

    public Page<ModelEntity> list(String teamId, String parentModelId, String pageToken, int pageSize) {
        return models.page(teamId, parentModelId, pageToken, pageSize);
    }

    private static String hashOf(Path folder) {
        try {
            return ContentHash.ofFolder(folder);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read model folder " + folder, e);
        }
    }

    private static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }
}

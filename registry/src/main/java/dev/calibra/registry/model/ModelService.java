package dev.calibra.registry.model;

import dev.calibra.proto.v1.ModelOrigin;
import dev.calibra.proto.v1.RegisterModelRequest;
import dev.calibra.proto.v1.UpdateModelRequest;
import dev.calibra.registry.job.JobClaims;
import dev.calibra.registry.support.ArtifactLocation;
import dev.calibra.registry.support.ArtifactLocations;
import dev.calibra.registry.support.StoreOwnership;
import io.quarkus.narayana.jta.QuarkusTransaction;
import dev.calibra.registry.support.Checks;
import dev.calibra.registry.support.Ids;
import dev.calibra.registry.support.Json;
import dev.calibra.registry.support.Page;
import dev.calibra.registry.team.TeamScope;
import dev.calibra.rpc.CalibraException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.PersistenceException;
import jakarta.transaction.Transactional;
import dev.calibra.registry.support.Times;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Registers and reads models. Registration is idempotent by content, so pipelines can rerun. */
@ApplicationScoped
public class ModelService {

    private final ModelRepository models;
    private final JobClaims claims;
    private final StoreOwnership store;
    private final ArtifactLocations locations;

    public ModelService(ModelRepository models, JobClaims claims, StoreOwnership store, ArtifactLocations locations) {
        this.models = models;
        this.claims = claims;
        this.store = store;
        this.locations = locations;
    }

    /**
     * Registers a model folder. The folder is hashed before the transaction opens: hashing gigabytes must not
     * hold a database connection and row locks for minutes.
     */
    public ModelEntity register(TeamScope scope, RegisterModelRequest request) {
        String name = Checks.required(request.getName(), "name");
        String architecture = Checks.required(request.getArchitecture(), "architecture");
        Checks.positive(request.getParameterCount(), "parameter_count");
        ArtifactLocation folder = locations.existing(Checks.required(request.getArtifactUri(), "artifact_uri"), "artifact_uri");
        if (!folder.hasFile("config.json")) {
            throw CalibraException.invalidArgument("artifact_uri " + folder + " has no config.json: not a HuggingFace model folder");
        }
        QuarkusTransaction.requiringNew().run(() -> store.requireOwnedBy(scope.teamId(), folder, "artifact_uri"));
        String sha256 = folder.sha256();
        if (!request.getSha256().isEmpty() && !request.getSha256().equals(sha256)) {
            throw CalibraException.invalidArgument("sha256 " + request.getSha256() + " does not match the content of "
                    + folder + " (" + sha256 + "); the folder changed or the hash was computed differently");
        }
        return QuarkusTransaction.requiringNew().call(() -> insert(scope, request, name, architecture, folder, sha256));
    }

    private ModelEntity insert(TeamScope scope, RegisterModelRequest request, String name, String architecture,
            ArtifactLocation folder, String sha256) {
        String teamId = scope.teamId();
        // A model may derive from any model the team can read (a granted team's base model, say).
        String parentId = request.getParentModelId();
        ModelEntity parent = parentId.isEmpty() ? null : models.findVisible(scope, parentId)
                .filter(found -> models.holdForReference(found.id))
                .orElseThrow(() -> CalibraException.notFound("parent_model_id " + parentId + " is not a registered model"));

        claims.requireForOutput(scope, "producing_job_id", request.getProducingJobId(), request.getProducingWorkerId(),
                request.getProducingAttempt(), "a model");

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
        model.artifactUri = folder.uri();
        model.sha256 = sha256;
        model.parentModelId = parent == null ? null : parent.id;
        model.producingJobId = emptyToNull(request.getProducingJobId());
        if (request.hasCompression()) {
            model.compressionMethod = emptyToNull(request.getCompression().getMethod());
            model.compressionParams = Json.ofMap(request.getCompression().getParametersMap());
            model.calibrationSetId = emptyToNull(request.getCompression().getCalibrationSetId());
        }
        if (request.hasOrigin()) {
            ModelOrigin origin = request.getOrigin();
            if (parent != null) {
                throw CalibraException.invalidArgument("origin: a derived model (parent_model_id " + parent.id
                        + ") has a lineage, not a hub origin");
            }
            model.originEndpoint = Checks.required(origin.getHubEndpoint(), "origin.hub_endpoint");
            model.originRepo = Checks.required(origin.getRepoId(), "origin.repo_id");
            model.originRevision = Checks.required(origin.getRevision(), "origin.revision");
            if (!origin.getCommit().matches("[0-9a-f]{40}")) {
                throw CalibraException.invalidArgument("origin.commit: must be a 40-hex commit id, got '" + origin.getCommit() + "'");
            }
            model.originCommit = origin.getCommit();
        }
        model.description = request.getDescription();
        model.tags = Json.ofList(request.getTagsList());
        model.createdAt = Times.now();
        models.persist(model);
        return model;
    }

    public ModelEntity get(TeamScope scope, String idOrName) {
        Checks.required(idOrName, "id");
        return models.findVisible(scope, idOrName)
                .orElseThrow(() -> CalibraException.notFound("model " + idOrName + " is not registered"));
    }

    public Page<ModelEntity> list(TeamScope scope, String parentModelId, String pageToken, int pageSize) {
        return models.page(scope, parentModelId, pageToken, pageSize);
    }

    /** Changes description and tags, the only mutable fields; the owner team only. */
    @Transactional
    public ModelEntity update(TeamScope scope, UpdateModelRequest request) {
        if (!request.getUpdateDescription() && !request.getUpdateTags()) {
            throw CalibraException.invalidArgument("nothing to change: set update_description or update_tags");
        }
        ModelEntity model = owned(scope, request.getId());
        if (request.getUpdateDescription()) {
            model.description = request.getDescription();
        }
        if (request.getUpdateTags()) {
            List<String> tags = new ArrayList<>();
            for (int i = 0; i < request.getTagsCount(); i++) {
                tags.add(Checks.required(request.getTags(i), "tags[" + i + "]"));
            }
            model.tags = Json.ofList(tags);
        }
        return model;
    }

    /**
     * Deletes a model record that nothing refers to (the owner team only); its artifact stays for
     * `calibra gc`. The database's delete trigger holds the same rule for anyone else.
     */
    @Transactional
    public ModelEntity delete(TeamScope scope, String id) {
        ModelEntity model = owned(scope, id);
        ModelRepository.References references = models.references(model);
        if (references.any()) {
            throw CalibraException.failedPrecondition("model " + model.id + " cannot be deleted: " + references.derivedModels()
                    + " model(s) derive from it, and " + references.scores() + " score(s), " + references.calibrationSets()
                    + " calibration set(s) and " + references.jobs() + " job(s) refer to it; registered versions others depend on stay");
        }
        try {
            models.delete(model);
            models.flush();
        } catch (PersistenceException raced) {
            // A job or score referring to it committed since the count; the delete trigger refused.
            throw CalibraException.failedPrecondition("model " + model.id + " cannot be deleted: a record referring to it was"
                    + " just added");
        }
        return model;
    }

    private ModelEntity owned(TeamScope scope, String idOrName) {
        Checks.required(idOrName, "id");
        String notFound = "model " + idOrName + " is not registered";
        ModelEntity model = models.lockVisible(scope, idOrName).orElseThrow(() -> CalibraException.notFound(notFound));
        scope.checkChange(model.teamId, "model " + model.id, notFound);
        return model;
    }

    private static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }
}

package dev.calibra.registry.support;

import dev.calibra.artifacts.ArtifactStores;
import dev.calibra.artifacts.S3Location;
import dev.calibra.artifacts.StoreLayout;
import dev.calibra.registry.team.TeamEntity;
import dev.calibra.rpc.AllowedRoots;
import dev.calibra.rpc.CalibraException;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Whose a path in the artifact store is (StoreLayout: {@code teams/<team>/...}). Knowing another team's
 * artifact_uri must not let a team register that artifact as its own, nor keep it after a grant is
 * revoked; and a job's checkpoint may only point into that job's own folder, which a resumed attempt reads.
 */
@ApplicationScoped
public class StoreOwnership {

    private final Optional<Path> root;
    private final Optional<S3Location> objectRoot;
    private final java.util.concurrent.ConcurrentHashMap<String, String> teamNames = new java.util.concurrent.ConcurrentHashMap<>();

    public StoreOwnership(@ConfigProperty(name = "calibra.artifacts.root") Optional<String> root) {
        Optional<String> configured = root.filter(value -> !value.isBlank());
        this.objectRoot = configured.filter(S3Location::isUri)
                .map(value -> S3Location.parse(URI.create(value)));
        this.root = configured.filter(value -> objectRoot.isEmpty())
                .map(value -> real(ArtifactStores.pathOf(value).toAbsolutePath().normalize()));
    }

    /**
     * Refuses (PERMISSION_DENIED) a store path outside {@code teams/<teamId's name>/}: only the team whose
     * jobs or calls wrote an artifact registers it. Paths outside the store (the assets folder, allowed roots)
     * are for AllowedRoots to judge.
     */
    public void requireOwnedBy(String teamId, ArtifactLocation location, String field) {
        Optional<String> owner;
        if (!location.isLocal()) {
            owner = StoreLayout.ownerOfKey(location.recorded().key());
        } else if (root.isEmpty() || !real(location.path()).startsWith(root.get())) {
            return;
        } else {
            owner = StoreLayout.ownerOf(root.get(), real(location.path()));
        }
        String team = teamName(teamId);
        if (owner.isEmpty() || !owner.get().equals(team)) {
            throw new CalibraException(CalibraException.Kind.PERMISSION_DENIED, field + " " + location
                    + " lies in the artifact store outside team " + team + "'s folder (" + StoreLayout.teamFolder(team)
                    + "/): only the team whose job wrote an artifact registers it");
        }
    }

    /** The checkpoint URI, provided it lies in the job's own checkpoint folder; INVALID_ARGUMENT otherwise. */
    public String requireCheckpointOf(String teamId, String jobId, String uri) {
        if (objectRoot.isPresent()) {
            String folder = StoreLayout.checkpoints(teamName(teamId), jobId) + "/";
            String key;
            try {
                key = objectRoot.get().keyOf(URI.create(uri));
            } catch (IllegalArgumentException e) {
                throw CalibraException.invalidArgument("checkpoint_uri: " + e.getMessage());
            }
            if (!key.startsWith(folder)) {
                throw CalibraException.invalidArgument("checkpoint_uri " + uri + " lies outside job " + jobId
                        + "'s checkpoint folder " + objectRoot.get().uriOf(folder));
            }
            return uri;
        }
        if (root.isEmpty()) {
            throw CalibraException.failedPrecondition("checkpoint_uri: the registry is not told where the artifact store"
                    + " is (CALIBRA_ARTIFACTS), so it cannot check that checkpoints stay in the job's folder");
        }
        Path path;
        try {
            path = Path.of(URI.create(uri)).toAbsolutePath().normalize();
        } catch (IllegalArgumentException e) {
            throw CalibraException.invalidArgument("checkpoint_uri '" + uri + "' is not a file: URI");
        }
        Path folder = root.get().resolve(StoreLayout.checkpoints(teamName(teamId), jobId));
        Path resolved = real(path);
        if (!resolved.startsWith(folder) || resolved.equals(folder)) {
            throw CalibraException.invalidArgument("checkpoint_uri " + uri + " lies outside job " + jobId
                    + "'s checkpoint folder " + folder);
        }
        return uri;
    }

    private String teamName(String teamId) {
        String known = teamNames.get(teamId);
        if (known != null) {
            return known;
        }
        TeamEntity team = TeamEntity.findById(teamId);
        if (team == null) {
            throw CalibraException.notFound("team " + teamId + " does not exist");
        }
        // a team's name never changes (its folder keeps its owner), so it is read once per process
        teamNames.put(teamId, team.name);
        return team.name;
    }

    /** Links resolved where the path exists, so a link in a team's folder cannot point into another's. */
    private static Path real(Path path) {
        return AllowedRoots.real(path);
    }
}

package dev.calibra.artifacts;

import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where artifacts go inside the store. Everything a job or call writes for a team lies under
 * {@code teams/<team>/} ({@code models/}, {@code calibration/}, {@code checkpoints/}), so a path says whose
 * it is: the registry registers a store path only for the team whose folder holds it, and a job's
 * checkpoints only from that job's own folder. Token indexes ({@code token-index/}) are a cache of corpus
 * content, registered by nobody, and stay shared.
 */
public final class StoreLayout {

    public static final String TEAMS = "teams";
    public static final String MODELS = "models";
    public static final String CALIBRATION = "calibration";
    public static final String CHECKPOINTS = "checkpoints";
    /** Team names as the registry allows them; never changed, so a folder keeps its owner. */
    private static final Pattern TEAM = Pattern.compile("[a-z][a-z0-9-]{0,63}");
    private static final Pattern RUN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private StoreLayout() {}

    /** {@code teams/<team>}: the one folder a team's writes go to. */
    public static String teamFolder(String team) {
        if (team == null || !TEAM.matcher(team).matches()) {
            throw new IllegalArgumentException("'" + team + "' is not a team name, so it has no folder in the artifact store");
        }
        return TEAMS + "/" + team;
    }

    /** A compression run's output folder. */
    public static String model(String team, String runFolder) {
        return teamFolder(team) + "/" + MODELS + "/" + run(runFolder);
    }

    /** A compression run's block checkpoints (a job's id is its run id, so a resumed attempt finds them). */
    public static String checkpoints(String team, String runId) {
        return teamFolder(team) + "/" + CHECKPOINTS + "/" + run(runId);
    }

    /** A calibration set's folder, under a content key of the set. */
    public static String calibration(String team, String contentKey) {
        return teamFolder(team) + "/" + CALIBRATION + "/" + contentKey;
    }

    /**
     * The team whose folder holds {@code path}, a normalized path inside the store {@code root}; empty for a
     * path outside {@code teams/} (the old flat layout, the token cache, the temporary folder).
     */
    public static Optional<String> ownerOf(Path root, Path path) {
        if (!path.startsWith(root)) {
            return Optional.empty();
        }
        Path relative = root.relativize(path);
        if (relative.getNameCount() < 2 || !relative.getName(0).toString().equals(TEAMS)) {
            return Optional.empty();
        }
        return Optional.of(relative.getName(1).toString());
    }

    /** The team whose folder holds the store key {@code key} ({@code teams/<team>/...}); empty for other keys. */
    public static Optional<String> ownerOfKey(String key) {
        String[] segments = key.split("/", 3);
        return segments.length == 3 && segments[0].equals(TEAMS) && !segments[2].isEmpty()
                ? Optional.of(segments[1]) : Optional.empty();
    }

    private static String run(String id) {
        if (id == null || !RUN.matcher(id).matches()) {
            throw new IllegalArgumentException("'" + id + "' cannot name a folder in the artifact store");
        }
        return id;
    }
}

package dev.calibra.cli.commands;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.calibra.cli.CalibraCommand;
import dev.calibra.cli.Output;
import dev.calibra.cli.Services;
import dev.calibra.artifacts.ArtifactStore;
import dev.calibra.artifacts.ArtifactStores;
import dev.calibra.artifacts.S3Location;
import dev.calibra.proto.v1.ListArtifactReferencesRequest;
import dev.calibra.proto.v1.ListArtifactReferencesResponse;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * calibra gc: deletes what the artifact store holds that no registry record refers to (outputs of jobs
 * that died between writing and registering, deleted models, old checkpoints). Needs an admin key.
 */
@Command(name = "gc", description = "Remove artifacts that no record refers to.")
public final class GcCommand implements Callable<Integer> {

    /** Derived caches the services rebuild on demand; kept unless --caches. */
    static final Set<String> CACHE_FOLDERS = Set.of("token-index");
    /** Below this a fresh set or direct-call model may be deleted between its write and its registration. */
    static final Duration MIN_AGE_FLOOR = Duration.ofMinutes(5);
    /** LocalArtifactStore's staging folder: every write goes through it. */
    static final String TEMP_FOLDER = ".tmp";

    @ParentCommand CalibraCommand root;

    @Option(names = "--artifacts", description = "The artifact store: a folder or s3://bucket/prefix; default"
            + " CALIBRA_ARTIFACT_STORE, else CALIBRA_ARTIFACTS, else the local stack's.")
    String artifacts;

    @Option(names = "--min-age", defaultValue = "PT1H",
            description = "Keep anything modified more recently than this ISO-8601 duration (writes in flight), default PT1H,"
                    + " at least PT5M.")
    Duration minAge;

    @Option(names = "--caches", description = "Also remove derived caches (token-index/).")
    boolean caches;

    @Option(names = "--dry-run", description = "Only list what would be removed.")
    boolean dryRun;

    @Override
    public Integer call() throws IOException {
        Output output = root.output();
        String location = artifacts != null ? artifacts : ArtifactStores.locationIn(root.env()).orElse(null);
        if (minAge.compareTo(MIN_AGE_FLOOR) < 0) {
            throw new IllegalArgumentException("--min-age " + minAge + " is below " + MIN_AGE_FLOOR + ": a younger entry may be an"
                    + " artifact whose registration is still in flight (a set or a direct call's model has no job to ask about)");
        }
        if (location != null && S3Location.isUri(location)) {
            try (ArtifactStore store = ArtifactStores.open(location, root.env(),
                    root.stackConfig().stateDir().resolve("artifact-cache"))) {
                return new ObjectStoreGc(store, caches, dryRun).run(output, references(), Instant.now().minus(minAge));
            }
        }
        Path store = (location != null ? Path.of(location) : root.stackConfig().artifactsDir()).toAbsolutePath().normalize();
        if (!Files.isDirectory(store)) {
            throw new IllegalArgumentException("artifact store " + store + " is not a folder (set --artifacts)");
        }
        ListArtifactReferencesResponse references = references();
        Set<Path> uris = new HashSet<>();
        for (String uri : references.getUrisList()) {
            if (!S3Location.isUri(uri)) {
                uris.add(pathOf(uri));
            }
        }
        List<String> inFlight = references.getInFlightPrefixesList();
        Set<Path> referenced = withTheirFolders(uris);
        Instant keepAfter = Instant.now().minus(minAge);
        List<Path> garbage = new ArrayList<>();
        collect(store, store, referenced, inFlight, keepAfter, garbage);
        List<Garbage> found = new ArrayList<>();
        for (Path path : garbage) {
            found.add(new Garbage(path.toString(), sizeOf(path), () -> deleteRecursively(path)));
        }
        return removeAndReport(output, dryRun, store.toString(), found, referenced.size());
    }

    /** What gc found to remove: its name as printed, its size, and how to remove it. */
    record Garbage(String name, long bytes, Removal removal) {}

    @FunctionalInterface
    interface Removal {
        void remove() throws IOException;
    }

    /** Removes (unless a dry run) and reports what gc found, the same for a folder store and an object store. */
    static int removeAndReport(Output output, boolean dryRun, String artifacts, List<Garbage> garbage, int referenced)
            throws IOException {
        long bytes = 0;
        ObjectNode json = output.object();
        ArrayNode removed = json.putArray("removed");
        for (Garbage item : garbage) {
            bytes += item.bytes();
            removed.add(item.name());
            output.line((dryRun ? "would remove " : "removed ") + item.name() + " (" + item.bytes() + " bytes)");
            if (!dryRun) {
                item.removal().remove();
            }
        }
        output.line((dryRun ? "would free " : "freed ") + bytes + " bytes in " + garbage.size() + " item(s); "
                + referenced + " referenced artifact(s) kept");
        json.put("artifacts", artifacts);
        json.put("dry_run", dryRun);
        json.put("bytes", bytes);
        json.put("referenced", referenced);
        output.emit(json);
        return 0;
    }

    private ListArtifactReferencesResponse references() {
        try (Services services = root.services()) {
            return AdminCommand.admin(services).listArtifactReferences(ListArtifactReferencesRequest.getDefaultInstance());
        }
    }

    static Path pathOf(String uri) {
        return ArtifactStores.pathOf(uri).toAbsolutePath().normalize();
    }

    /**
     * A record naming a file refers to its folder too: a job's checkpoint_uri names its last block file and
     * needs every earlier block to resume; a calibration set names set.safetensors and keeps set.json.
     */
    static Set<Path> withTheirFolders(Set<Path> referenced) {
        Set<Path> kept = new HashSet<>(referenced);
        for (Path path : referenced) {
            if (Files.isRegularFile(path)) {
                kept.add(path.getParent());
            }
        }
        return kept;
    }

    /**
     * Adds the largest unreferenced subtrees under folder: a path is kept when it is referenced, lies inside a
     * referenced folder, or is a folder holding a referenced path (then its children are examined).
     */
    void collect(Path store, Path folder, Set<Path> referenced, List<String> inFlight, Instant keepAfter, List<Path> garbage)
            throws IOException {
        List<Path> children;
        try (Stream<Path> listing = Files.list(folder)) {
            children = listing.sorted().toList();
        }
        for (Path child : children) {
            if (folder.equals(store) && !caches && CACHE_FOLDERS.contains(child.getFileName().toString())) {
                continue;
            }
            if (folder.equals(store) && child.getFileName().toString().equals(TEMP_FOLDER)) {
                // The store writes through .tmp/: the folder stays, abandoned partial files older than keepAfter go.
                collect(store, child, referenced, inFlight, keepAfter, garbage);
                continue;
            }
            if (referenced.stream().anyMatch(child::startsWith)) {
                continue;  // referenced itself, or inside a referenced folder
            }
            String relative = store.relativize(child).toString().replace('\\', '/');
            if (inFlight.stream().anyMatch(relative::startsWith)) {
                continue;  // an unfinished job's own folder: checkpoints it resumes from, an output not yet registered
            }
            if (Files.isDirectory(child) && (referenced.stream().anyMatch(ref -> ref.startsWith(child))
                    || inFlight.stream().anyMatch(prefix -> prefix.startsWith(relative + "/")))) {
                collect(store, child, referenced, inFlight, keepAfter, garbage);
                continue;
            }
            if (newestChange(child).isBefore(keepAfter)) {
                garbage.add(child);
            }
        }
    }

    private static Instant newestChange(Path path) throws IOException {
        Instant[] newest = {Instant.EPOCH};
        Files.walkFileTree(path, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                newest[0] = max(newest[0], attrs.lastModifiedTime().toInstant());
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                newest[0] = max(newest[0], attrs.lastModifiedTime().toInstant());
                return FileVisitResult.CONTINUE;
            }
        });
        return newest[0];
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private static long sizeOf(Path path) throws IOException {
        long[] total = {0};
        Files.walkFileTree(path, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                total[0] += attrs.size();
                return FileVisitResult.CONTINUE;
            }
        });
        return total[0];
    }

    private static void deleteRecursively(Path path) throws IOException {
        Files.walkFileTree(path, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException error) throws IOException {
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}

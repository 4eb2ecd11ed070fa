package dev.calibra.cli.commands;

import dev.calibra.artifacts.ArtifactStore;
import dev.calibra.artifacts.StoreLayout;
import dev.calibra.cli.Output;
import dev.calibra.proto.v1.ListArtifactReferencesResponse;
import java.io.IOException;
import java.net.URI;
import java.nio.file.NoSuchFileException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code calibra gc} on an object store: the same rule as on a folder ({@link GcCommand#collect}), over store keys.
 * Folders there are key prefixes, so a cut folder upload (objects without their manifest) is garbage like any
 * unreferenced folder once it is old enough.
 */
final class ObjectStoreGc {

    private final ArtifactStore store;
    private final boolean caches;
    private final boolean dryRun;

    ObjectStoreGc(ArtifactStore store, boolean caches, boolean dryRun) {
        this.store = store;
        this.caches = caches;
        this.dryRun = dryRun;
    }

    int run(Output output, ListArtifactReferencesResponse references, Instant keepAfter) throws IOException {
        Set<String> referenced = referencedKeys(references.getUrisList());
        List<String> inFlight = references.getInFlightPrefixesList();
        List<GcCommand.Garbage> garbage = new ArrayList<>();
        collect(StoreLayout.TEAMS, referenced, inFlight, keepAfter, garbage);
        if (caches) {
            for (String cache : GcCommand.CACHE_FOLDERS) {
                collect(cache, referenced, inFlight, keepAfter, garbage);
            }
        }
        return GcCommand.removeAndReport(output, dryRun, store.uriOf(StoreLayout.TEAMS).resolve(".").toString(), garbage,
                referenced.size());
    }

    /**
     * The keys records name in this store, with the folder of each file they name (a checkpoint's earlier blocks, a
     * set's sidecar); other stores' URIs and local paths are not this store's to keep.
     */
    private Set<String> referencedKeys(List<String> uris) throws IOException {
        Set<String> keys = new HashSet<>();
        for (String uri : uris) {
            ArtifactStore.Recorded recorded;
            try {
                recorded = store.recorded(URI.create(uri)).orElseThrow();
            } catch (IllegalArgumentException elsewhere) {
                continue;
            } catch (NoSuchFileException gone) {
                continue;
            }
            keys.add(recorded.key());
            if (!recorded.folder()) {
                keys.add(recorded.key().substring(0, Math.max(0, recorded.key().lastIndexOf('/'))));
            }
        }
        return keys;
    }

    private void collect(String folder, Set<String> referenced, List<String> inFlight, Instant keepAfter,
            List<GcCommand.Garbage> garbage) throws IOException {
        for (String child : store.listKeys(folder)) {
            if (referenced.stream().anyMatch(ref -> child.equals(ref) || child.startsWith(ref + "/"))) {
                continue;  // referenced itself, or inside a referenced folder
            }
            if (inFlight.stream().anyMatch(child::startsWith)) {
                continue;  // an unfinished job's own folder
            }
            if (referenced.stream().anyMatch(ref -> ref.startsWith(child + "/"))
                    || inFlight.stream().anyMatch(prefix -> prefix.startsWith(child + "/"))) {
                collect(child, referenced, inFlight, keepAfter, garbage);
                continue;
            }
            // one listing gives both the age that decides and the size reported
            ArtifactStore.Usage usage = store.usage(child);
            if (usage.newestChange().isBefore(keepAfter)) {
                garbage.add(new GcCommand.Garbage(store.uriOf(child).toString(), usage.bytes(), () -> store.delete(child)));
            }
        }
    }
}

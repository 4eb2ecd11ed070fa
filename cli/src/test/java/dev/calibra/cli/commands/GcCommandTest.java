package dev.calibra.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GcCommandTest {

    @TempDir Path store;

    private Path old(Path path) throws Exception {
        FileTime longAgo = FileTime.from(Instant.now().minus(3, ChronoUnit.HOURS));
        try (Stream<Path> tree = Files.walk(path)) {
            for (Path each : tree.toList()) {
                Files.setLastModifiedTime(each, longAgo);
            }
        }
        return path;
    }

    private Path file(String relative) throws Exception {
        Path path = store.resolve(relative);
        Files.createDirectories(path.getParent());
        Files.writeString(path, "x");
        return path;
    }

    @Test
    void removesOnlyOldUnreferencedEntriesAndKeepsCaches() throws Exception {
        file("models/mdl-kept/model.safetensors");
        file("models/mdl-deleted/model.safetensors");
        file("calibration/set-kept/set.safetensors");
        file("calibration/set-kept/set.json");
        file("checkpoints/job-running/block-00000.safetensors");
        file("checkpoints/job-running/block-00001.safetensors");
        file("checkpoints/job-dead/block-00000.safetensors");
        file("teams/vision/checkpoints/job-early/block-00000.safetensors");  // running, no checkpoint_uri recorded yet
        file("teams/vision/models/job-early-a1/model.safetensors");         // its output, not yet registered
        file("teams/vision/models/job-earlier-a1/model.safetensors");       // another job's: only a prefix in common
        file("teams/nlp/checkpoints/job-done/block-00000.safetensors");
        file("token-index/abc/tokens.bin");
        file(".tmp/model.safetensors.1234.partial");
        for (Path top : List.of(store.resolve("models"), store.resolve("calibration"), store.resolve("checkpoints"),
                store.resolve("token-index"), store.resolve(".tmp"), store.resolve("teams"))) {
            old(top);
        }
        file("models/mdl-just-written/model.safetensors");  // young: a job may be about to register it
        file(".tmp/set.safetensors.5678.partial");            // young: a write in flight

        // What the registry answers: a model folder, a calibration set's file, a running job's last checkpoint.
        Set<Path> referenced = GcCommand.withTheirFolders(Set.of(store.resolve("models/mdl-kept"),
                store.resolve("calibration/set-kept/set.safetensors"), store.resolve("checkpoints/job-running/block-00001.safetensors")));
        GcCommand gc = new GcCommand();
        List<Path> garbage = new ArrayList<>();
        List<String> inFlight = List.of("teams/vision/checkpoints/job-early", "teams/vision/models/job-early-a");
        gc.collect(store, store, referenced, inFlight, Instant.now().minus(1, ChronoUnit.HOURS), garbage);

        // Kept: every block of the running job (it resumes from all of them), set.json beside its set, the store's
        // .tmp folder itself (every write goes through it) and the write in flight there.
        // An unfinished job's own folders stay before any record names them.
        assertEquals(List.of(store.resolve(".tmp/model.safetensors.1234.partial"), store.resolve("checkpoints/job-dead"),
                store.resolve("models/mdl-deleted"), store.resolve("teams/nlp"),
                store.resolve("teams/vision/models/job-earlier-a1")), garbage.stream().sorted().toList());

        gc.caches = true;
        garbage.clear();
        gc.collect(store, store, referenced, inFlight, Instant.now().minus(1, ChronoUnit.HOURS), garbage);
        assertEquals(true, garbage.contains(store.resolve("token-index")));
    }
}

package dev.calibra.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoCommandTest {

    @Test
    void rename_replacesCorpusReferencesButNotLabels() {
        String yaml = "sources:\n  - {label: c4, strategy: random_window, corpus: c4, sets: 3}\n  - {corpus: c4x}\n";
        assertEquals("sources:\n  - {label: c4, strategy: random_window, corpus: cor-1, sets: 3}\n  - {corpus: c4x}\n",
                DemoCommand.rename(yaml, "corpus:\\s*", "c4", "cor-1"));
    }

    @Test
    void rename_replacesTheModelInTheModelsList() {
        assertEquals("models: [demo-model]\n", DemoCommand.rename("models: [stories260K]\n", "models:\\s*\\[", "stories260K", "demo-model"));
    }

    @Test
    void requestId_dependsOnlyOnTheFileContent() {
        assertEquals(StudyCommand.requestIdOf("name: a\n"), StudyCommand.requestIdOf("name: a\n"));
        assertEquals(43, StudyCommand.requestIdOf("name: a\n").length());
    }

    @Test
    void splitHeldOut_tinyStories_evaluationSharesNoParagraphWithCalibration_andIsStable(@TempDir Path folder) throws Exception {
        Path source = Path.of(System.getProperty("calibra.root", "..")).resolve("assets")
                .resolve(DemoCommand.TINYSTORIES).toAbsolutePath();
        Map<String, Path> split = DemoCommand.splitHeldOut(source, folder);
        String evaluation = Files.readString(split.get(DemoCommand.TINYSTORIES_EVALUATION), StandardCharsets.UTF_8);
        String calibration = Files.readString(split.get(DemoCommand.TINYSTORIES_CALIBRATION), StandardCharsets.UTF_8);
        assertEquals(Files.readString(source, StandardCharsets.UTF_8), evaluation + "\n\n" + calibration,
                "the two parts are the file, cut at one paragraph boundary");
        assertTrue(evaluation.length() > 10_000 && calibration.length() > 4 * evaluation.length() / 2, "a fifth held out");
        Set<String> held = new HashSet<>(Arrays.asList(evaluation.split("\n\n")));
        held.remove("");
        assertFalse(Arrays.stream(calibration.split("\n\n")).filter(p -> p.length() > 200).anyMatch(held::contains),
                "no long paragraph of the evaluation text is also calibration text");
        long modified = Files.getLastModifiedTime(split.get(DemoCommand.TINYSTORIES_EVALUATION)).toMillis();
        Thread.sleep(20);
        DemoCommand.splitHeldOut(source, folder);
        assertEquals(modified, Files.getLastModifiedTime(split.get(DemoCommand.TINYSTORIES_EVALUATION)).toMillis(),
                "a rerun leaves the same bytes in place");
    }
}

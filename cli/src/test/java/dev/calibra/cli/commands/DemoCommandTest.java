package dev.calibra.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

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
}

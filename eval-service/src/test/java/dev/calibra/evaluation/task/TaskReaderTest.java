package dev.calibra.evaluation.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.calibra.evaluation.Assets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The request strings of the first example of each shipped task, hand-checked against
 * lm-evaluation-harness's task configs (doc_to_text, doc_to_choice, target_delimiter " ").
 */
class TaskReaderTest {

    private static final TaskCatalog CATALOG = TaskCatalog.builtIn();

    private static Example first(String task) throws IOException {
        return new TaskReader(CATALOG.get(task), Assets.assets()).read(1).get(0);
    }

    @Test
    void arcEasy_questionAnswerPrompt_spaceBeforeEachChoice() throws IOException {
        // lm-eval arc_easy.yaml: "Question: {{question}}\nAnswer:", choices.text
        Example example = first("arc_easy");
        assertEquals("Question: Which statement best explains why photosynthesis is the foundation of most food webs?\nAnswer:",
                example.contexts().get(0));
        assertEquals(List.of(" Sunlight is the source of energy for nearly all ecosystems.",
                " Most ecosystems are found on land instead of in water.", " Carbon dioxide is more available than other gases.",
                " The producers in all ecosystems are plants."), example.continuations());
        assertEquals(0, example.gold());
        assertEquals("Sunlight is the source of energy for nearly all ecosystems.".length(), example.choiceLengths().get(0));
    }

    @Test
    void piqa_fileQueryEndsWithNewline_promptIsGoalThenAnswer() throws IOException {
        // lm-eval piqa.yaml: "Question: {{goal}}\nAnswer:"
        Example example = first("piqa");
        assertEquals("Question: How do I ready a guinea pig cage for it's new occupants?\nAnswer:", example.contexts().get(0));
        assertTrue(example.continuations().get(0).startsWith(" Provide the guinea pig with a cage full of a few inches of bedding made of ripped paper"));
    }

    @Test
    void boolq_passagePrefixDropped_questionMarkAndAnswer() throws IOException {
        // lm-eval boolq default.yaml: "{{passage}}\nQuestion: {{question}}?\nAnswer:", choices ["no", "yes"]
        Example example = first("boolq");
        assertTrue(example.contexts().get(0).startsWith("All biomass goes through at least some of these steps"));
        assertTrue(example.contexts().get(0).endsWith(" producing gasoline.\nQuestion: does ethanol take more energy make that produces?\nAnswer:"));
        assertEquals(List.of(" no", " yes"), example.continuations());
    }

    @Test
    void copa_premiseWithConnector_lowercasedChoices() throws IOException {
        // lm-eval copa utils: premise[:-1] + " therefore", choices with their first letter lower-cased
        Example example = first("copa");
        assertEquals("The man turned on the faucet, therefore", example.contexts().get(0));
        assertEquals(List.of(" the toilet filled with water.", " water flowed from the spout."), example.continuations());
        assertEquals(1, example.gold());
    }

    @Test
    void openbookqa_questionStemAlone() throws IOException {
        Example example = first("openbookqa");
        assertTrue(example.contexts().get(0).endsWith("they decide the best way to save money is to"));
        assertEquals(" quit eating lunch out", example.continuations().get(1));
    }

    @Test
    void winogrande_partialScoring_optionsAreContexts_sharedContinuation() throws IOException {
        // lm-eval winogrande: contexts sentence[:blank] + option, target " " + sentence after the blank
        Example example = first("winogrande");
        assertEquals(List.of("Sarah was a much better surgeon than Maria so Sarah", "Sarah was a much better surgeon than Maria so Maria"),
                example.contexts());
        assertEquals(List.of(" always got the easier cases.", " always got the easier cases."), example.continuations());
        assertEquals(1, example.gold());
    }

    @Test
    void hellaswag_lmEvalPreprocessing_capitalizedCtxB() throws IOException {
        // lm-eval hellaswag utils: preprocess(activity_label + ": " + ctx_a + " " + ctx_b.capitalize())
        Example example = first("hellaswag");
        assertEquals("Pole vault: Pole vault is a sport where you run with a pole and stop and swing your body. A few women",
                example.contexts().get(0));
        assertEquals(" are in the gym practicing to do this pole vault, trying to do their best.", example.continuations().get(3));
        assertEquals(3, example.gold());
    }

    @Test
    void hellaswag_preprocess_dropsWikiHowMarkers() {
        assertEquals("Clean a pan. Scrub it.", HellaSwagText.preprocess(" Clean a pan [title] Scrub [step] it. "));
        assertEquals("A few women", HellaSwagText.capitalize("a FEW women"));
    }

    @Test
    void rte_trueFalseQuestion_labelZeroIsTrue() throws IOException {
        // lm-eval glue rte: "{{sentence1}}\nQuestion: {{sentence2}} True or False?\nAnswer:", choices True/False
        Example example = first("rte");
        assertTrue(example.contexts().get(0).startsWith("Dana Reeve, the widow of the actor Christopher Reeve"));
        assertTrue(example.contexts().get(0).endsWith("Christopher Reeve Foundation.\nQuestion: Christopher Reeve had an accident. True or False?\nAnswer:"));
        assertEquals(List.of(" True", " False"), example.continuations());
        assertEquals(1, example.gold());
    }

    @Test
    void lambada_contextThenSpaceAndFinalWord() throws IOException {
        Example example = first("lambada_openai");
        assertTrue(example.contexts().get(0).endsWith("his mouth curved in a confident grin, I don't care about"));
        assertEquals(List.of(" signs"), example.continuations());
    }

    @Test
    void limit_firstExamplesInFileOrder() throws IOException {
        List<Example> examples = new TaskReader(CATALOG.get("copa"), Assets.assets()).read(5);
        assertEquals(5, examples.size());
        assertEquals(List.of(1, 2, 3, 4, 5), examples.stream().map(Example::line).toList());
        assertEquals(100, new TaskReader(CATALOG.get("copa"), Assets.assets()).read(0).size());
    }

    @Test
    void unknownTask_namesItAndTheKnownOnes() {
        var error = assertThrows(IllegalArgumentException.class, () -> CATALOG.get("arc_hard"));
        assertTrue(error.getMessage().startsWith("tasks: unknown task 'arc_hard'; known: arc_easy"), error.getMessage());
    }

    private static TaskReader reader(Path folder, String kind, String rows) throws IOException {
        Files.writeString(folder.resolve("bad.jsonl"), rows);
        TaskCatalog catalog = TaskCatalog.parse(new ObjectMapper().readTree(
                "[{\"name\": \"bad\", \"kind\": \"" + kind + "\", \"file\": \"bad.jsonl\", \"template\": \"{query}\"}]"), "test");
        return new TaskReader(catalog.get("bad"), folder);
    }

    @Test
    void malformedRow_namesFileAndLine(@TempDir Path folder) throws IOException {
        TaskReader reader = reader(folder, "multiple_choice",
                "{\"query\": \"a\", \"choices\": [\"x\", \"y\"], \"gold\": 0}\n{\"query\": \"b\", \"choices\": [\"x\"\n");
        var error = assertThrows(IllegalArgumentException.class, () -> reader.read(0));
        assertTrue(error.getMessage().startsWith("bad.jsonl line 2: not valid JSON"), error.getMessage());
    }

    @Test
    void goldOutOfRange_namesLineAndRange(@TempDir Path folder) throws IOException {
        TaskReader reader = reader(folder, "multiple_choice", "{\"query\": \"a\", \"choices\": [\"x\", \"y\"], \"gold\": 2}\n");
        var error = assertThrows(IllegalArgumentException.class, () -> reader.read(0));
        assertEquals("bad.jsonl line 1: gold 2 is out of range for 2 choices", error.getMessage());
    }

    @Test
    void emptyChoices_refusedNamingTheField(@TempDir Path folder) throws IOException {
        TaskReader reader = reader(folder, "multiple_choice", "{\"query\": \"a\", \"choices\": [], \"gold\": 0}\n");
        var error = assertThrows(IllegalArgumentException.class, () -> reader.read(0));
        assertEquals("bad.jsonl line 1: field 'choices' is empty", error.getMessage());
    }

    @Test
    void newTaskOfKnownKind_needsOnlyASpecEntry(@TempDir Path folder) throws IOException {
        TaskReader reader = reader(folder, "multiple_choice", "{\"query\": \"Q\", \"choices\": [\"x\", \"yy\"], \"gold\": 1}\n");
        Example example = reader.read(0).get(0);
        assertEquals(List.of(" x", " yy"), example.continuations());
        assertEquals(List.of(1, 2), example.choiceLengths());
    }

    @Test
    void unknownKindInCatalog_namesTheEntry() {
        var error = assertThrows(IllegalArgumentException.class, () -> TaskCatalog.parse(new ObjectMapper().readTree(
                "[{\"name\": \"x\", \"kind\": \"essay\", \"file\": \"x.jsonl\"}]"), "tasks.json"));
        assertTrue(error.getMessage().startsWith("tasks.json entry 0: unknown task kind 'essay'"), error.getMessage());
    }
}

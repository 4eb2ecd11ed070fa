package dev.calibra.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class GlobsTest {

    private static final List<String> PATHS = List.of(
            "config.json", "model.safetensors", "onnx/model.onnx", "onnx/config.json", "README.md", "a[1].txt", "x.JSON");

    /** Expected selections are what Python's fnmatch.fnmatchcase gives for the same pattern and paths. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            *.json         | config.json onnx/config.json
            config.json    | config.json
            onnx/          | onnx/model.onnx onnx/config.json
            onnx/*         | onnx/model.onnx onnx/config.json
            onnx\\*.onnx   | onnx/model.onnx
            *.safetensors  | model.safetensors
            ?onfig.json    | config.json
            [cm]*          | config.json model.safetensors
            [!co]*         | model.safetensors README.md a[1].txt x.JSON
            a[[]1].txt     | a[1].txt
            a[1            | ''
            *.JSON         | x.JSON
            """)
    void select_fnmatchSemantics_asHuggingFaceHubAppliesThem(String glob, String expected) {
        Globs.Selection<String> selection = Globs.select(PATHS, Function.identity(), List.of(glob));
        List<String> want = expected.isEmpty() ? List.of() : List.of(expected.split(" "));
        assertEquals(want, selection.selected());
        assertEquals(want.isEmpty() ? List.of(glob) : List.of(), selection.unmatchedGlobs());
    }

    @Test
    void select_severalGlobs_keepsItemOrderAndReportsOnlyTheUnmatchedOnes() {
        Globs.Selection<String> selection = Globs.select(PATHS, Function.identity(), List.of("*.md", "nothing/*", "config.json"));
        assertEquals(List.of("config.json", "README.md"), selection.selected());
        assertEquals(List.of("nothing/*"), selection.unmatchedGlobs());
    }

    @Test
    void select_noGlobs_selectsEverything() {
        assertEquals(PATHS, Globs.select(PATHS, Function.identity(), List.of()).selected());
    }

    @Test
    void compile_reversedRange_isRefusedNamingTheGlob() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Globs.compile("[z-a]*"));
        assertTrue(e.getMessage().contains("[z-a]*"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Globs.compile(""));
    }
}

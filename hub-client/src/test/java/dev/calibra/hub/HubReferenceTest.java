package dev.calibra.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HubReferenceTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            ORG/NAME                                   | ORG/NAME                   | main
            hf://ORG/NAME                              | ORG/NAME                   | main
            hf://ORG/NAME@v1.0                         | ORG/NAME                   | v1.0
            hf://karpathy/tinyllamas@refs/pr/1         | karpathy/tinyllamas        | refs/pr/1
            meta-llama/Llama-3.2-1B                    | meta-llama/Llama-3.2-1B    | main
            Qwen/Qwen2.5-0.5B-Instruct@0123456789abcdef0123456789abcdef01234567 | Qwen/Qwen2.5-0.5B-Instruct | 0123456789abcdef0123456789abcdef01234567
            _org/name_                                 | _org/name_                 | main
            a.b/c_d.e-f                                | a.b/c_d.e-f                | main
            """)
    void parse_validReference_givesRepoIdAndRevision(String text, String repoId, String revision) {
        HubReference reference = HubReference.parse(text);
        assertEquals(repoId, reference.repoId());
        assertEquals(revision, reference.revision());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            gpt2                   | exactly one '/'
            hf://datasets/org/name | exactly one '/'
            org/                   | empty name
            /name                  | empty organisation
            org/na me              | not ' '
            org/naïve              | not 'ï'
            org/-name              | cannot start or end with '-' or '.'
            org/name.              | cannot start or end with '-' or '.'
            .org/name              | cannot start or end with '-' or '.'
            org/na--me             | cannot contain '--' or '..'
            org/na..me             | cannot contain '--' or '..'
            org/name.git           | cannot end with '.git'
            hf://org/name@         | empty revision
            org/name@a..b          | not a valid branch, tag or commit name
            org/name@../x          | not a valid branch, tag or commit name
            org/name@/abs          | not a valid branch, tag or commit name
            org/name@a b           | spaces or control characters
            org/name@a:b           | cannot contain ':'
            """)
    void parse_invalidReference_namesTheProblem(String text, String problem) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HubReference.parse(text));
        assertTrue(e.getMessage().contains(problem), e.getMessage());
    }

    @Test
    void parse_nameOf97Characters_isRefused() {
        String name = "n".repeat(97);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HubReference.parse("org/" + name));
        assertTrue(e.getMessage().contains("at most 96"), e.getMessage());
        assertEquals("org/" + "n".repeat(96), HubReference.parse("org/" + "n".repeat(96)).repoId());
    }

    @Test
    void parse_blankOrNull_isRefused() {
        assertThrows(IllegalArgumentException.class, () -> HubReference.parse(" "));
        assertThrows(IllegalArgumentException.class, () -> HubReference.parse(null));
    }

    @Test
    void of_nullOrBlankRevision_meansMain() {
        assertEquals("main", HubReference.of("org/name", null).revision());
        assertEquals("main", HubReference.of("org/name", "  ").revision());
        assertEquals("dev", HubReference.of("org/name", "dev").revision());
    }

    @Test
    void uri_roundTripsThroughParse() {
        HubReference reference = HubReference.of("org/name", "refs/pr/3");
        assertEquals("hf://org/name@refs/pr/3", reference.uri());
        assertEquals(reference, HubReference.parse(reference.uri()));
    }

    @Test
    void isHubUri_onlyForTheHfScheme() {
        assertTrue(HubReference.isHubUri("hf://org/name"));
        assertFalse(HubReference.isHubUri("org/name"));
        assertFalse(HubReference.isHubUri("file:///models/x"));
        assertFalse(HubReference.isHubUri(null));
    }

    @Test
    void isCommit_onlyForFortyLowerCaseHexDigits() {
        assertTrue(HubReference.of("o/n", "0123456789abcdef0123456789abcdef01234567").isCommit());
        assertFalse(HubReference.of("o/n", "0123456789ABCDEF0123456789abcdef01234567").isCommit());
        assertFalse(HubReference.of("o/n", "main").isCommit());
    }
}

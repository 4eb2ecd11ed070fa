package dev.calibra.model.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.calibra.artifacts.ContentHash;
import dev.calibra.model.ModelPreconditionException;
import dev.calibra.model.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TokenizerTest {

    private static Tokenizer tokenizer;

    @BeforeAll
    static void open() throws IOException {
        tokenizer = Tokenizer.open(TestData.stories260K());
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    @Test
    void encode_referenceLines_matchIdsExactly() throws IOException {
        List<String> lines = Files.readAllLines(TestData.testVectors().resolve("stories260K_tokenizer.jsonl"));
        assertEquals(200, lines.size());
        ObjectMapper json = new ObjectMapper();
        for (String line : lines) {
            JsonNode record = json.readTree(line);
            int[] expected = new int[record.get("ids").size()];
            for (int i = 0; i < expected.length; i++) {
                expected[i] = record.get("ids").get(i).asInt();
            }
            assertArrayEquals(expected, tokenizer.encode(record.get("text").asText()),
                    () -> record.get("file").asText() + ": " + record.get("text").asText());
        }
    }

    @Test
    void encode_100kCharacterText_isNotTruncated() {
        String text = "Once upon a time Lily went to the park. ".repeat(2500);
        assertEquals(100_000, text.length(), "test text length");
        int[] ids = tokenizer.encode(text);
        assertTrue(ids.length > 512 * 20, "ids " + ids.length);
        int[] body = java.util.Arrays.copyOfRange(ids, 1, ids.length);
        assertEquals(text, tokenizer.decode(body));
    }

    @Test
    void encode_followsAddBosToken_andExplicitFlag() {
        int[] withConfig = tokenizer.encode("Hello");
        assertEquals(1, withConfig[0], "tokenizer_config.json says add_bos_token true");
        int[] without = tokenizer.encode("Hello", false);
        assertEquals(withConfig.length - 1, without.length);
        assertArrayEquals(java.util.Arrays.copyOfRange(withConfig, 1, withConfig.length), without);
        assertArrayEquals(new int[] {1}, tokenizer.encode("", true));
    }

    @Test
    void specialTokensAndVocabulary_comeFromTheFiles() throws IOException {
        assertEquals(512, tokenizer.vocabSize());
        assertEquals(1, tokenizer.bosId());
        assertEquals(2, tokenizer.eosId());
        assertEquals(ContentHash.ofFile(TestData.stories260K().resolve("tokenizer.json")), tokenizer.sha256());
    }

    @Test
    void decode_skipsSpecialTokens() {
        assertEquals("Once upon a time", tokenizer.decode(tokenizer.encode("Once upon a time")));
    }

    @Test
    void requireMatchesModel_differentVocab_refusedNamingBothSizes() {
        ModelPreconditionException e = assertThrows(ModelPreconditionException.class,
                () -> tokenizer.requireMatchesModel(32000));
        assertEquals("tokenizer vocabulary size 512 does not match the model's vocab_size 32000", e.getMessage());
        assertThrows(ModelPreconditionException.class, () -> tokenizer.requireMatchesModel(500));
        tokenizer.requireMatchesModel(512);
    }

    @Test
    void vocabularyMatches_paddedEmbeddingUnderOnePercent_accepted() {
        assertTrue(TokenizerFiles.vocabularyMatches(151_665, 151_936));
        assertTrue(!TokenizerFiles.vocabularyMatches(500, 512));
    }

    @Test
    void textFiles_read_normalizesCrLfLikePython(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Path file = dir.resolve("t.txt");
        Files.writeString(file, "a\r\nb\rc\n");
        assertEquals("a\nb\nc\n", TextFiles.read(file));
    }
}

package dev.calibra.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.calibra.artifacts.ContentHash;
import dev.calibra.model.decoder.DecoderSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFolderTest {

    private static final List<String> FILES = List.of("config.json", "model.safetensors", "tokenizer.json",
            "tokenizer_config.json");

    @TempDir
    Path dir;

    /** A temporary copy of the stories260K folder (outside the repository), minus {@code leftOut}. */
    private Path copiedFolder(String leftOut) throws IOException {
        for (String file : FILES) {
            if (!file.equals(leftOut)) {
                Files.copy(TestData.stories260K().resolve(file), dir.resolve(file));
            }
        }
        return dir;
    }

    @Test
    void open_stories260K_reportsArchitectureDtypeAndParameterCount() throws IOException {
        try (ModelFolder folder = ModelFolder.open(TestData.stories260K())) {
            DecoderSpec.Dims c = folder.config().decoder().dims();
            int kv = c.kvHeads() * c.headDim();
            // embed + lm_head + final norm + per block (2 norms, q, k, v, o, gate, up, down)
            long expected = 2L * c.vocab() * c.hidden() + c.hidden() + c.layers()
                    * (2L * c.hidden() + 2L * c.hidden() * c.hidden() + 2L * kv * c.hidden()
                    + 3L * c.hidden() * c.intermediate());
            assertEquals(expected, folder.parameterCount());
            assertEquals(292_800, folder.parameterCount());
            assertEquals("float32", folder.dtype());
            assertEquals("LlamaForCausalLM", folder.architecture());
            assertEquals(ContentHash.ofFolder(TestData.stories260K()), folder.sha256());
        }
    }

    @Test
    void open_missingConfig_namesConfigJson() throws IOException {
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFolder.open(copiedFolder("config.json")));
        assertTrue(e.getMessage().endsWith("has no config.json"), e.getMessage());
    }

    @Test
    void open_missingTokenizer_namesTokenizerJson() throws IOException {
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFolder.open(copiedFolder("tokenizer.json")));
        assertTrue(e.getMessage().endsWith("has no tokenizer.json"), e.getMessage());
    }

    @Test
    void open_missingWeights_saysNoSafetensors() throws IOException {
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFolder.open(copiedFolder("model.safetensors")));
        assertTrue(e.getMessage().contains("no *.safetensors file"), e.getMessage());
    }

    @Test
    void open_notAFolder_refused() {
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFolder.open(dir.resolve("nope")));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void open_configVocabDiffersFromTokenizer_refusedAsPrecondition() throws IOException {
        copiedFolder("config.json");
        String config = Files.readString(TestData.stories260K().resolve("config.json"))
                .replace("\"vocab_size\": 512", "\"vocab_size\": 1024");
        Files.writeString(dir.resolve("config.json"), config);
        ModelPreconditionException e = assertThrows(ModelPreconditionException.class, () -> ModelFolder.open(dir));
        assertEquals("tokenizer vocabulary size 512 does not match the model's vocab_size 1024", e.getMessage());
    }

    @Test
    void load_configShapeDisagreesWithCheckpoint_namesTensor() throws IOException {
        copiedFolder("config.json");
        String config = Files.readString(TestData.stories260K().resolve("config.json"))
                .replace("\"intermediate_size\": 172", "\"intermediate_size\": 128");
        Files.writeString(dir.resolve("config.json"), config);
        try (ModelFolder folder = ModelFolder.open(dir)) {
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> folder.load(Device.cpu()));
            assertEquals("tensor 'model.layers.0.mlp.gate_proj.weight' has shape [172, 64], config.json implies (128, 64)",
                    e.getMessage());
        }
    }
}

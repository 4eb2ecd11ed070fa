package dev.calibra.model.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.calibra.model.ModelFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where a model's chat template comes from, and what it is rendered with. */
class ChatTemplateTest {

    private static final List<Map<String, Object>> HELLO = List.of(Map.of("role", "user", "content", "Hi"),
            Map.of("role", "assistant", "content", "Hello"));
    private static final String TURNS = "{% for m in messages %}{{ bos_token }}{{ m.role }}: {{ m.content }}\\n{% endfor %}";

    @TempDir
    Path folder;

    @Test
    void tokenizerConfigTemplate_isRenderedWithTheConfigsSpecialTokens() throws IOException {
        Files.writeString(folder.resolve("tokenizer_config.json"), "{\"bos_token\": {\"content\": \"<B>\", \"lstrip\": false},"
                + " \"eos_token\": \"</E>\", \"pad_token\": null, \"chat_template\": \"" + TURNS + "{{ eos_token }}\"}");
        ChatTemplate template = ChatTemplate.select(ChatTemplate.MODEL, folder);
        assertEquals("<B>user: Hi\n<B>assistant: Hello\n</E>", template.render(HELLO, false, Map.of()));
        assertEquals("model", template.name());
    }

    @Test
    void chatTemplateJinja_winsOverTokenizerConfig_asTransformersLoadsIt() throws IOException {
        Files.writeString(folder.resolve("tokenizer_config.json"), "{\"chat_template\": \"from the config\"}");
        Files.writeString(folder.resolve(ChatTemplate.CHAT_TEMPLATE_JINJA), "from the file{{ add_generation_prompt }}");
        assertEquals("from the fileTrue", ChatTemplate.select(ChatTemplate.MODEL, folder).render(HELLO, true, Map.of()));
    }

    @Test
    void namedTemplates_theDefaultOneIsUsed() throws IOException {
        Files.writeString(folder.resolve("tokenizer_config.json"), "{\"chat_template\": [{\"name\": \"tool_use\", \"template\": \"tools\"},"
                + " {\"name\": \"default\", \"template\": \"plain\"}]}");
        assertEquals("plain", ChatTemplate.select(ChatTemplate.MODEL, folder).render(HELLO, false, Map.of()));
    }

    @Test
    void optionsWinOverSpecialTokens_andToolsAndDocumentsAreNone() throws IOException {
        Files.writeString(folder.resolve("tokenizer_config.json"), "{\"bos_token\": \"<s>\", \"chat_template\":"
                + " \"{{ bos_token }} {{ tools }} {{ documents }} {{ enable_thinking is defined }}\"}");
        ChatTemplate template = ChatTemplate.select(ChatTemplate.MODEL, folder);
        assertEquals("<s> None None False", template.render(HELLO, false, Map.of()));
        assertEquals("[B] None None True", template.render(HELLO, false, Map.of("bos_token", "[B]", "enable_thinking", false)));
    }

    @Test
    void noTemplate_unknownName_andBadTemplate_areRefusedByName() throws IOException {
        Files.writeString(folder.resolve("tokenizer_config.json"), "{\"bos_token\": \"<s>\"}");
        ModelFormatException none = assertThrows(ModelFormatException.class, () -> ChatTemplate.select(ChatTemplate.MODEL, folder));
        assertTrue(none.getMessage().contains("has no chat template") && none.getMessage().contains("llama3, qwen3, gemma2"),
                none.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> ChatTemplate.select("chatml", folder));
        assertTrue(unknown.getMessage().contains("chat template 'chatml' is unknown"), unknown.getMessage());
        Files.writeString(folder.resolve(ChatTemplate.CHAT_TEMPLATE_JINJA), "{% for m in messages %}never closed");
        ModelFormatException bad = assertThrows(ModelFormatException.class, () -> ChatTemplate.select(ChatTemplate.MODEL, folder));
        assertTrue(bad.getMessage().contains("is not a template Calibra can read"), bad.getMessage());
    }

    @Test
    void builtInTemplates_loadFromTheClasspath_andTheirHashesDiffer() throws IOException {
        Files.writeString(folder.resolve("tokenizer_config.json"), "{\"bos_token\": \"<s>\", \"eos_token\": \"</s>\"}");
        String llama = ChatTemplate.select("llama3", folder).sha256();
        for (String name : ChatTemplate.BUILT_IN) {
            ChatTemplate template = ChatTemplate.select(name, folder);
            assertEquals(64, template.sha256().length());
            assertTrue(template.render(HELLO, false, Map.of()).contains("Hello"), name);
            if (!name.equals("llama3")) {
                assertNotEquals(llama, template.sha256());
            }
        }
    }
}

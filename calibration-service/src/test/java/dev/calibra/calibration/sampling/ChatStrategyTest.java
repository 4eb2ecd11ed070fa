package dev.calibra.calibration.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.calibra.calibration.service.ModelSession;
import dev.calibra.model.ModelFormatException;
import dev.calibra.model.chat.ChatTemplate;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The chat strategy on the shipped chat corpus with the stories260K tokenizer. Every row is checked
 * against a rendering written here by hand from the templates' semantics (the Jinja engine itself is
 * checked against Jinja2 in model-core), so this test fails if rendering, tokenizing or drawing drifts.
 */
class ChatStrategyTest {

    static final CorpusInput CHAT = StrategiesTest.corpus("cor-chat", "tinystories-chat", "tinystories_chat.jsonl", "chat");
    static ModelSession session;
    static List<List<Map<String, Object>>> conversations;

    @BeforeAll
    static void open() throws IOException {
        session = ModelSession.open(dev.calibra.calibration.Assets.stories260K());
        ObjectMapper json = new ObjectMapper();
        conversations = new ArrayList<>();
        for (String line : Files.readAllLines(CHAT.path())) {
            conversations.add(json.convertValue(json.readTree(line).get("messages"), new TypeReference<List<Map<String, Object>>>() {}));
        }
    }

    @AfterAll
    static void close() throws IOException {
        session.close();
    }

    static List<Sample> draw(int n, int seqLen, long seed, Map<String, String> parameters) throws IOException {
        return draw(null, n, seqLen, seed, parameters);
    }

    static List<Sample> draw(dev.calibra.artifacts.ArtifactStore cache, int n, int seqLen, long seed, Map<String, String> parameters)
            throws IOException {
        Strategy chat = Strategies.of("chat");
        return chat.draw(new DrawRequest(n, seqLen, seed, Parameters.resolve("chat", chat.parameters(), parameters), List.of(CHAT),
                session.tokenizer(), session, cache));
    }

    @Test
    void tokenCache_givesTheStreamedRows_andKeepsTemplatesAndSwitchesApart(@org.junit.jupiter.api.io.TempDir java.nio.file.Path root)
            throws IOException {
        dev.calibra.artifacts.ArtifactStore cache = new dev.calibra.artifacts.LocalArtifactStore(root);
        List<Map<String, String>> variants = List.of(Map.of("template", "qwen3"), Map.of("template", "qwen3", "packing", "packed"),
                Map.of("template", "llama3"), Map.of("template", "qwen3", "add_generation_prompt", "true", "enable_thinking", "false"),
                Map.of("template", "gemma2", "on_template_error", "skip"));
        for (Map<String, String> variant : variants) {
            List<Sample> streamed = draw(5, 64, 4, variant);
            for (String pass : List.of("building the cache", "from the warm cache")) {
                List<Sample> cached = draw(cache, 5, 64, 4, variant);
                for (int i = 0; i < streamed.size(); i++) {
                    assertArrayEquals(streamed.get(i).tokens(), cached.get(i).tokens(), variant + " " + pass);
                    assertEquals(streamed.get(i).documentIndex(), cached.get(i).documentIndex());
                }
            }
        }
        // whole, packed share one entry per rendering; llama3, the switched qwen3 and the skipping gemma2 have their own
        try (var entries = java.nio.file.Files.list(root.resolve("token-index"))) {
            assertEquals(4, entries.count());
        }
    }

    @Test
    void wholeConversations_fromEachTemplate_areTheirRenderingsFirstTokens() throws IOException {
        for (String template : ChatTemplate.BUILT_IN) {
            List<Sample> rows = draw(8, 64, 3, Map.of("template", template, "on_template_error", "skip"));
            Set<Long> seen = new HashSet<>();
            for (Sample row : rows) {
                assertEquals("cor-chat", row.corpusId());
                assertEquals(0, row.tokenOffset());
                assertTrue(seen.add(row.documentIndex()), template + ": conversations are drawn without replacement");
                int[] rendered = session.tokenizer().encodeFormatted(expected(template, conversations.get((int) row.documentIndex())));
                assertArrayEquals(Arrays.copyOf(rendered, 64), row.tokens(), template + " conversation " + row.documentIndex());
                if (!template.equals("qwen3")) {
                    // the template writes "<s>" as text: the tokenizer must read it as the BOS token, not as characters
                    assertEquals(session.tokenizer().bosId(), row.tokens()[0], template);
                }
            }
        }
    }

    @Test
    void packedRenderings_areWindowsOfTheJoinedConversations() throws IOException {
        List<Sample> rows = draw(6, 200, 5, Map.of("template", "qwen3", "packing", "packed"));
        for (Sample row : rows) {
            List<Integer> stream = new ArrayList<>();
            for (int c = (int) row.documentIndex(); stream.size() < row.tokenOffset() + 200; c++) {
                for (int id : session.tokenizer().encodeFormatted(expected("qwen3", conversations.get(c)))) {
                    stream.add(id);
                }
            }
            int[] window = stream.subList((int) row.tokenOffset(), (int) row.tokenOffset() + 200).stream().mapToInt(Integer::intValue).toArray();
            assertArrayEquals(window, row.tokens(), "conversation " + row.documentIndex() + " offset " + row.tokenOffset());
        }
    }

    @Test
    void modelWrittenReplies_followThePromptUpToTheLastUserMessage() throws IOException {
        Map<String, String> onPolicy = Map.of("template", "qwen3", "replies", "model", "temperature", "0.8");
        List<Sample> rows = draw(3, 96, 2, onPolicy);
        List<Sample> again = draw(3, 96, 2, onPolicy);
        for (int r = 0; r < rows.size(); r++) {
            Sample row = rows.get(r);
            List<Map<String, Object>> conversation = conversations.get((int) row.documentIndex());
            int lastUser = 0;
            for (int i = 0; i < conversation.size(); i++) {
                lastUser = conversation.get(i).get("role").equals("user") ? i : lastUser;
            }
            int[] prompt = session.tokenizer().encodeFormatted(expected("qwen3", conversation.subList(0, lastUser + 1))
                    + "<|im_start|>assistant\n");
            assertArrayEquals(prompt, Arrays.copyOf(row.tokens(), prompt.length), "conversation " + row.documentIndex());
            assertEquals(96, row.tokens().length);
            assertArrayEquals(row.tokens(), again.get(r).tokens(), "the same seed samples the same reply");
        }
        IllegalArgumentException packed = assertThrows(IllegalArgumentException.class,
                () -> draw(2, 64, 0, Map.of("template", "qwen3", "replies", "model", "packing", "packed")));
        assertTrue(packed.getMessage().contains("use packing whole"), packed.getMessage());
    }

    @Test
    void sameSeed_sameRows_otherSeed_otherRows() throws IOException {
        Map<String, String> qwen = Map.of("template", "qwen3");
        List<Sample> first = draw(6, 64, 11, qwen);
        List<Sample> again = draw(6, 64, 11, qwen);
        for (int i = 0; i < first.size(); i++) {
            assertArrayEquals(first.get(i).tokens(), again.get(i).tokens());
        }
        assertFalse(first.stream().map(Sample::documentIndex).toList().equals(
                draw(6, 64, 12, qwen).stream().map(Sample::documentIndex).toList()));
    }

    @Test
    void theTemplatesSwitches_changeTheRendering() throws IOException {
        ChatTemplate qwen = session.chatTemplate("qwen3");
        List<Map<String, Object>> question = List.of(Map.of("role", "user", "content", "Tell me a story."));
        assertEquals("<|im_start|>user\nTell me a story.<|im_end|>\n<|im_start|>assistant\n",
                qwen.render(question, true, Map.of()));
        assertEquals("<|im_start|>user\nTell me a story.<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n",
                qwen.render(question, true, Map.of("enable_thinking", false)));
        ChatTemplate llama = session.chatTemplate("llama3");
        assertTrue(llama.render(question, false, Map.of()).contains("Today Date: 26 Jul 2024\n"), "fallback date, not the clock");
        assertTrue(llama.render(question, false, Map.of("date_string", "07 Dec 2026")).contains("Today Date: 07 Dec 2026\n"));
    }

    @Test
    void gemmaRefusesSystemMessages_andTheDrawSaysWhichConversation() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> draw(8, 64, 3, Map.of("template", "gemma2")));
        assertTrue(e.getMessage().contains("System role not supported"), e.getMessage());
        assertTrue(e.getMessage().matches(".*refuses conversation \\d+ of corpus tinystories-chat.*"), e.getMessage());
    }

    @Test
    void refusals_nameTheProblem() {
        IllegalArgumentException raw = assertThrows(IllegalArgumentException.class, () -> Strategies.of("chat").draw(
                new DrawRequest(2, 16, 0, Parameters.resolve("chat", Strategies.of("chat").parameters(), Map.of()),
                        List.of(StrategiesTest.STORIES), session.tokenizer(), session, null)));
        assertTrue(raw.getMessage().contains("is cut under the rule blank-lines"), raw.getMessage());
        ModelFormatException none = assertThrows(ModelFormatException.class, () -> draw(2, 16, 0, Map.of()));
        assertTrue(none.getMessage().contains("has no chat template"), none.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> draw(2, 16, 0, Map.of("template", "mistral")));
        assertTrue(unknown.getMessage().contains("chat template 'mistral' is unknown"), unknown.getMessage());
        IllegalArgumentException unused = assertThrows(IllegalArgumentException.class,
                () -> draw(2, 16, 0, Map.of("template", "qwen3", "temperature", "0.9")));
        assertTrue(unused.getMessage().contains("temperature applies to replies model only"), unused.getMessage());
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                () -> draw(4, 100_000, 0, Map.of("template", "qwen3")));
        assertTrue(tooLong.getMessage().contains("use packing packed"), tooLong.getMessage());
    }

    /** The three templates' output for plain system/user/assistant conversations, written from their Jinja source. */
    static String expected(String template, List<Map<String, Object>> messages) {
        StringBuilder out = new StringBuilder();
        switch (template) {
            case "llama3" -> {
                boolean system = messages.get(0).get("role").equals("system");
                out.append("<s><|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\n")
                        .append("Today Date: 26 Jul 2024\n\n")
                        .append(system ? content(messages.get(0)).strip() : "").append("<|eot_id|>");
                for (Map<String, Object> message : messages.subList(system ? 1 : 0, messages.size())) {
                    out.append("<|start_header_id|>").append(message.get("role")).append("<|end_header_id|>\n\n")
                            .append(content(message).strip()).append("<|eot_id|>");
                }
            }
            case "qwen3" -> {
                int lastQuery = 0;
                for (int i = 0; i < messages.size(); i++) {
                    lastQuery = messages.get(i).get("role").equals("user") ? i : lastQuery;
                }
                for (int i = 0; i < messages.size(); i++) {
                    Map<String, Object> message = messages.get(i);
                    String content = content(message);
                    if (!message.get("role").equals("assistant")) {
                        out.append("<|im_start|>").append(message.get("role")).append('\n').append(content).append("<|im_end|>\n");
                        continue;
                    }
                    String reasoning = "";
                    if (content.contains("</think>")) {
                        reasoning = stripNewlines(content.substring(content.indexOf("<think>") + "<think>".length(), content.indexOf("</think>")));
                        content = content.substring(content.lastIndexOf("</think>") + "</think>".length()).replaceFirst("^\n+", "");
                    }
                    out.append("<|im_start|>assistant\n");
                    if (i > lastQuery && (i == messages.size() - 1 || !reasoning.isEmpty())) {
                        out.append("<think>\n").append(reasoning).append("\n</think>\n\n");
                    }
                    out.append(content).append("<|im_end|>\n");
                }
            }
            case "gemma2" -> {
                out.append("<s>");
                for (Map<String, Object> message : messages) {
                    String role = message.get("role").equals("assistant") ? "model" : (String) message.get("role");
                    out.append("<start_of_turn>").append(role).append('\n').append(content(message).strip()).append("<end_of_turn>\n");
                }
            }
            default -> throw new IllegalArgumentException(template);
        }
        return out.toString();
    }

    private static String content(Map<String, Object> message) {
        return (String) message.get("content");
    }

    private static String stripNewlines(String text) {
        return text.replaceAll("^\n+", "").replaceAll("\n+$", "");
    }
}

package dev.calibra.model.chat.jinja;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Renders every case of chat-templates/expected.jsonl, which tools/reference/render_chat_templates.py
 * made with Jinja2 configured as transformers configures it, and compares byte for byte.
 */
class JinjaTemplateCasesTest {

    private static final String FOLDER = "/chat-templates/";
    private static final Set<String> FIXTURES = Set.of("meta-llama-Llama-3.2-3B-Instruct.jinja",
            "Qwen-Qwen3-0.6B.jinja", "google-gemma-2-2b-it.jinja", "microsoft-Phi-3.5-mini-instruct.jinja",
            "mistralai-Mistral-Nemo-Instruct-2407.jinja", "Qwen-QwQ-32B.jinja",
            "ibm-granite-granite-3.3-2B-Instruct.jinja", "deepseek-ai-DeepSeek-V3.1.jinja");

    /** One line of expected.jsonl. */
    record Case(String name, String template, String source, Map<String, Object> variables, String output,
            String error, Integer errorLine) {

        @Override
        public String toString() {
            return template + " " + name;
        }
    }

    static List<Case> cases() {
        ObjectMapper json = new ObjectMapper();
        List<Case> cases = new ArrayList<>();
        try (InputStream in = JinjaTemplateCasesTest.class.getResourceAsStream(FOLDER + "expected.jsonl");
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                Map<String, Object> record = json.readValue(line, new TypeReference<Map<String, Object>>() { });
                @SuppressWarnings("unchecked")
                Map<String, Object> variables = (Map<String, Object>) record.get("variables");
                cases.add(new Case((String) record.get("case"), (String) record.get("template"),
                        (String) record.get("source"), variables, (String) record.get("output"),
                        (String) record.get("error"), (Integer) record.get("error_line")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return cases;
    }

    static Stream<Arguments> expected() {
        return cases().stream().map(Arguments::of);
    }

    static String fixture(String name) {
        try (InputStream in = JinjaTemplateCasesTest.class.getResourceAsStream(FOLDER + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("expected")
    void render_referenceCase_matchesJinja2(Case c) {
        String source = c.template().equals("inline") ? c.source() : fixture(c.template());
        if (c.error() == null) {
            assertEquals(c.output(), JinjaTemplate.parse(source, c.template()).render(c.variables()));
            return;
        }
        TemplateException e = assertThrows(TemplateException.class,
                () -> JinjaTemplate.parse(source, c.template()).render(c.variables()));
        assertTrue(e.getMessage().contains(c.error()), () -> "expected '" + c.error() + "' in: " + e.getMessage());
        assertTrue(e.getMessage().startsWith(c.template() + ", line " + e.line() + ": "), e.getMessage());
        assertEquals(c.errorLine(), e.line(), () -> "line of: " + e.getMessage());
    }

    /** The fixtures are byte-exact copies; SOURCES.md lists their SHA-256. */
    @Test
    void fixtures_matchTheirRecordedHashes() throws NoSuchAlgorithmException {
        Map<String, String> recorded = new TreeMap<>();
        for (String line : fixture("SOURCES.md").split("\n")) {
            String[] cells = line.split("\\|");
            if (cells.length == 3 && cells[1].trim().endsWith(".jinja")) {
                recorded.put(cells[1].trim(), cells[2].trim());
            }
        }
        assertEquals(new TreeSet<>(FIXTURES), recorded.keySet());
        for (Map.Entry<String, String> e : recorded.entrySet()) {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(fixture(e.getKey()).getBytes(StandardCharsets.UTF_8));
            assertEquals(e.getValue(), HexFormat.of().formatHex(digest), e.getKey());
        }
    }

    @Test
    void cases_coverEveryFixtureWithOutputsAndErrors() {
        Set<String> rendered = new TreeSet<>();
        Set<String> failing = new TreeSet<>();
        for (Case c : cases()) {
            (c.error() == null ? rendered : failing).add(c.template());
        }
        assertTrue(rendered.containsAll(FIXTURES), () -> "rendered: " + rendered);
        assertTrue(failing.containsAll(Set.of("google-gemma-2-2b-it.jinja", "ibm-granite-granite-3.3-2B-Instruct.jinja",
                "inline")), () -> "failing: " + failing);
        assertTrue(cases().size() > 100, "cases " + cases().size());
    }
}

package dev.calibra.model.chat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.calibra.artifacts.ContentHash;
import dev.calibra.model.ModelFormatException;
import dev.calibra.model.chat.jinja.JinjaTemplate;
import dev.calibra.model.chat.jinja.TemplateException;
import dev.calibra.model.tokenizer.TokenizerFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A chat template with the special tokens it is rendered with, rendered as transformers'
 * {@code apply_chat_template} renders it: the variables are the tokenizer's special tokens (bos_token,
 * eos_token, ...), then messages, tools = None, documents = None, add_generation_prompt and the
 * caller's options (enable_thinking, date_string), which win over special tokens of the same name.
 * Unlike transformers, no {@code strftime_now} is defined, so a template that prints today's date
 * (Llama 3.x) prints its fallback or the given date_string: a rendering must not change with the day.
 */
public final class ChatTemplate {

    /** Where transformers (since 4.43) saves a model's template; it wins over tokenizer_config.json. */
    public static final String CHAT_TEMPLATE_JINJA = "chat_template.jinja";
    /** The model's own template, by name. */
    public static final String MODEL = "model";
    /** Templates shipped with Calibra (resources chat-templates/, see SOURCES.md there), for models without one. */
    public static final List<String> BUILT_IN = List.of("llama3", "qwen3", "gemma2");

    private final String name;
    private final String sha256;
    private final Map<String, String> specialTokens;
    private final JinjaTemplate template;

    private ChatTemplate(String name, String source, Map<String, String> specialTokens) {
        this.name = name;
        this.sha256 = ContentHash.ofBytes(source.getBytes(StandardCharsets.UTF_8));
        this.specialTokens = Map.copyOf(specialTokens);
        this.template = JinjaTemplate.parse(source, name + " chat template");
    }

    /**
     * The template called {@code name} for the model in {@code folder}: "model" for the model's own,
     * or one of {@link #BUILT_IN}; either is rendered with the model's special tokens.
     */
    public static ChatTemplate select(String name, Path folder) throws IOException {
        JsonNode config = TokenizerFiles.readConfig(folder);
        Map<String, String> tokens = TokenizerFiles.specialTokens(config);
        if (name.equals(MODEL)) {
            String source = modelSource(folder, config).orElseThrow(() -> new ModelFormatException("the model in "
                    + folder + " has no chat template (no " + CHAT_TEMPLATE_JINJA + ", no chat_template in "
                    + TokenizerFiles.TOKENIZER_CONFIG_JSON + "); name one of " + String.join(", ", BUILT_IN)));
            try {
                return new ChatTemplate(MODEL, source, tokens);
            } catch (TemplateException e) {
                throw new ModelFormatException("the chat template of the model in " + folder + " is not a template Calibra can read: "
                        + e.getMessage(), e);
            }
        }
        if (!BUILT_IN.contains(name)) {
            throw new IllegalArgumentException("chat template '" + name + "' is unknown; use " + MODEL + " (the model's own) or one of "
                    + String.join(", ", BUILT_IN));
        }
        try (InputStream in = ChatTemplate.class.getResourceAsStream("/chat-templates/" + name + ".jinja")) {
            if (in == null) {
                throw new IllegalStateException("the built-in chat template " + name + " is missing from the classpath");
            }
            return new ChatTemplate(name, new String(in.readAllBytes(), StandardCharsets.UTF_8), tokens);
        }
    }

    /** The model folder's own template: chat_template.jinja, else tokenizer_config.json's chat_template. */
    static Optional<String> modelSource(Path folder, JsonNode config) throws IOException {
        Path file = folder.resolve(CHAT_TEMPLATE_JINJA);
        if (Files.isRegularFile(file)) {
            return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
        }
        JsonNode template = config.path("chat_template");
        if (template.isTextual()) {
            return Optional.of(template.asText());
        }
        if (template.isArray()) {
            // a list of named templates: apply_chat_template uses the one named "default"
            for (JsonNode named : template) {
                if ("default".equals(named.path("name").asText()) && named.path("template").isTextual()) {
                    return Optional.of(named.get("template").asText());
                }
            }
            throw new ModelFormatException(TokenizerFiles.TOKENIZER_CONFIG_JSON + " in " + folder
                    + " lists named chat templates but none is named 'default'");
        }
        if (!template.isMissingNode() && !template.isNull()) {
            throw new ModelFormatException(TokenizerFiles.TOKENIZER_CONFIG_JSON + " in " + folder
                    + ": chat_template is neither a string nor a list of named templates");
        }
        return Optional.empty();
    }

    /**
     * A conversation read as plain text, as Calibra reads a chat corpus everywhere but the chat strategy
     * (calibration's text strategies, evaluation's perplexity): the messages' non-blank string contents
     * joined by blank lines, without roles or template.
     */
    public static String withoutTemplate(List<? extends Map<String, ?>> messages) {
        StringBuilder text = new StringBuilder();
        for (Map<String, ?> message : messages) {
            if (message.get("content") instanceof String content && !content.isBlank()) {
                text.append(text.isEmpty() ? "" : "\n\n").append(content);
            }
        }
        return text.toString();
    }

    /** "model" or the built-in name. */
    public String name() {
        return name;
    }

    /** sha256 of the template text, recorded so that a set says exactly which template made it. */
    public String sha256() {
        return sha256;
    }

    /**
     * Everything besides the caller's arguments that decides a rendering: the template text's sha256 and
     * the special tokens it is rendered with. Two equal identities render equal messages equally (a cache key).
     */
    public String identity() {
        return sha256 + " " + new java.util.TreeMap<>(specialTokens);
    }

    /**
     * The conversation as text. {@code options} are further template variables (e.g. enable_thinking);
     * messages are JSON-shaped maps with at least role and content.
     */
    public String render(List<? extends Map<String, ?>> messages, boolean addGenerationPrompt, Map<String, ?> options) {
        Map<String, Object> variables = new HashMap<>(specialTokens);
        variables.put("messages", messages);
        variables.put("tools", null);
        variables.put("documents", null);
        variables.put("add_generation_prompt", addGenerationPrompt);
        variables.putAll(options);
        return template.render(variables);
    }
}

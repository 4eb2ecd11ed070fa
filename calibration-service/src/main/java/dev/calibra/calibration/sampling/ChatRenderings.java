package dev.calibra.calibration.sampling;

import dev.calibra.artifacts.ArtifactStore;
import dev.calibra.calibration.corpus.DocumentReader;
import dev.calibra.model.chat.ChatTemplate;
import dev.calibra.model.chat.jinja.TemplateException;
import dev.calibra.model.tokenizer.Tokenizer;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeMap;

/**
 * A chat corpus seen through a chat template and a tokenizer: the token count of every conversation's
 * rendering, then the tokens of the chosen ones, read as a stream ({@link CorpusTokens}, so only counts
 * and chosen rows are held) and kept in the token cache under the template, its special tokens and switches, so a
 * second draw renders nothing. A refused conversation (the template raised) fails the draw naming it, or
 * counts as empty when skipping is asked for. As prompts, a conversation is cut after its last user
 * message and rendered with the generation prompt, for the model to write the reply; one without a user
 * message renders to nothing.
 */
final class ChatRenderings {

    private final CorpusInput corpus;
    private final ChatTemplate template;
    private final boolean addGenerationPrompt;
    private final Map<String, Object> options;
    private final Tokenizer tokenizer;
    private final boolean skipRefused;
    private final boolean prompts;
    private final CorpusTokens tokens;

    ChatRenderings(CorpusInput corpus, ChatTemplate template, boolean addGenerationPrompt, Map<String, Object> options,
            Tokenizer tokenizer, boolean skipRefused, boolean prompts, ArtifactStore tokenCache) {
        this.corpus = corpus;
        this.template = template;
        this.prompts = prompts;
        this.addGenerationPrompt = addGenerationPrompt || prompts;
        this.options = new TreeMap<>(options);
        this.tokenizer = tokenizer;
        this.skipRefused = skipRefused;
        String renderingKey = "chat template " + template.identity() + " add_generation_prompt " + this.addGenerationPrompt
                + " options " + this.options + " prompts " + prompts + " skip_refused " + skipRefused;
        this.tokens = CorpusTokens.rendered(corpus, tokenizer, tokenCache, renderingKey,
                visitor -> new DocumentReader(corpus.source(), corpus.rule())
                        .forEachConversation((i, messages) -> visitor.visit(i, () -> render(i, messages))));
    }

    CorpusInput corpus() {
        return corpus;
    }

    /** Tokens of every conversation's rendering (0 for a skipped one). */
    int[] lengths() throws IOException {
        return tokens.documentLengths();
    }

    /** Tokens of the chosen conversations only. */
    Map<Long, int[]> tokens(NavigableSet<Long> chosen) throws IOException {
        return tokens.documents(chosen);
    }

    private int[] render(long index, List<Map<String, Object>> messages) {
        List<Map<String, Object>> rendered = prompts ? upToLastUserMessage(messages) : messages;
        if (rendered.isEmpty()) {
            return new int[0];
        }
        String text;
        try {
            text = template.render(rendered, addGenerationPrompt, options);
        } catch (TemplateException e) {
            if (skipRefused) {
                return new int[0];
            }
            throw new IllegalArgumentException("the " + template.name() + " chat template refuses conversation " + index
                    + " of corpus " + corpus.name() + ": " + e.getMessage() + " (on_template_error skip leaves such conversations out)",
                    e);
        }
        return tokenizer.encodeFormatted(text);
    }

    private static List<Map<String, Object>> upToLastUserMessage(List<Map<String, Object>> messages) {
        for (int i = messages.size() - 1; i >= 0; i--) {
            if ("user".equals(messages.get(i).get("role"))) {
                return messages.subList(0, i + 1);
            }
        }
        return List.of();
    }
}

package dev.calibra.calibration.sampling;

import dev.calibra.calibration.corpus.DocumentReader;
import dev.calibra.model.chat.ChatTemplate;
import dev.calibra.model.chat.jinja.TemplateException;
import dev.calibra.model.tokenizer.Tokenizer;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;

/**
 * A chat corpus seen through a chat template and a tokenizer, read as a stream: the token count of
 * every conversation's rendering in one pass, then the tokens of the chosen conversations in a second,
 * so only counts and the chosen rows are held. A refused conversation (the template raised) fails the
 * draw naming it, or counts as empty when skipping is asked for. As prompts, a conversation is cut after
 * its last user message and rendered with the generation prompt, for the model to write the reply; one
 * without a user message renders to nothing.
 */
final class ChatRenderings {

    private final CorpusInput corpus;
    private final ChatTemplate template;
    private final boolean addGenerationPrompt;
    private final Map<String, Object> options;
    private final Tokenizer tokenizer;
    private final boolean skipRefused;
    private final boolean prompts;
    private int[] lengths;

    ChatRenderings(CorpusInput corpus, ChatTemplate template, boolean addGenerationPrompt, Map<String, Object> options,
            Tokenizer tokenizer, boolean skipRefused, boolean prompts) {
        this.corpus = corpus;
        this.template = template;
        this.prompts = prompts;
        this.addGenerationPrompt = addGenerationPrompt || prompts;
        this.options = Map.copyOf(options);
        this.tokenizer = tokenizer;
        this.skipRefused = skipRefused;
    }

    CorpusInput corpus() {
        return corpus;
    }

    /** Tokens of every conversation's rendering (0 for a skipped one). */
    int[] lengths() throws IOException {
        if (lengths == null) {
            int[][] counts = {new int[1024]};
            long conversations = reader().forEachConversation((i, messages) -> {
                if (i == counts[0].length) {
                    counts[0] = Arrays.copyOf(counts[0], counts[0].length * 2);
                }
                counts[0][(int) i] = tokens(i, messages).length;
                return true;
            });
            lengths = Arrays.copyOf(counts[0], Math.toIntExact(conversations));
        }
        return lengths;
    }

    /** Tokens of the chosen conversations only. */
    Map<Long, int[]> tokens(NavigableSet<Long> chosen) throws IOException {
        Map<Long, int[]> tokens = new HashMap<>();
        if (chosen.isEmpty()) {
            return tokens;
        }
        long last = chosen.last();
        reader().forEachConversation((i, messages) -> {
            if (chosen.contains(i)) {
                tokens.put(i, tokens(i, messages));
            }
            return i < last;
        });
        return tokens;
    }

    private int[] tokens(long index, List<Map<String, Object>> messages) {
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

    private DocumentReader reader() throws IOException {
        return new DocumentReader(corpus.source(), corpus.rule());
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

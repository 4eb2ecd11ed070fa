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
 * draw naming it, or counts as empty when skipping is asked for.
 */
final class ChatRenderings {

    private final CorpusInput corpus;
    private final ChatTemplate template;
    private final boolean addGenerationPrompt;
    private final Map<String, Object> options;
    private final Tokenizer tokenizer;
    private final boolean skipRefused;
    private int[] lengths;

    ChatRenderings(CorpusInput corpus, ChatTemplate template, boolean addGenerationPrompt, Map<String, Object> options,
            Tokenizer tokenizer, boolean skipRefused) {
        this.corpus = corpus;
        this.template = template;
        this.addGenerationPrompt = addGenerationPrompt;
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
        String text;
        try {
            text = template.render(messages, addGenerationPrompt, options);
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
}

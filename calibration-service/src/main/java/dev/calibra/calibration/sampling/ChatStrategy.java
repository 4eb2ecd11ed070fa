package dev.calibra.calibration.sampling;

import dev.calibra.calibration.corpus.DocumentRule;
import dev.calibra.model.chat.ChatTemplate;
import dev.calibra.model.generation.Generator;
import dev.calibra.model.generation.SplitMix64;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Calibration data shaped like chat: the conversations of a chat corpus rendered with a chat template
 * (the model's own, or one shipped with Calibra) and tokenized as apply_chat_template tokenizes them,
 * nothing added. The template's switches are parameters, so the set records them. Rows are either
 * one conversation each (llm-compressor's shuffle-and-select: distinct conversations, the first seq_len
 * tokens of each, so every row opens with the template's header) or windows of the renderings packed
 * back to back. With replies written by the model, each drawn conversation is cut after its last user
 * message, rendered with the generation prompt, and the model samples the rest of the row: on-policy
 * calibration as Reasoning-Aware Compression (Lucas et al., ICLR 2026) builds it for reasoning models,
 * whose own traces are what they must keep producing once compressed. A sample's provenance is its
 * conversation and the offset in that conversation's tokens.
 */
public final class ChatStrategy implements Strategy {

    static final ParameterSpec TEMPLATE = new ParameterSpec("template", "enum", ChatTemplate.MODEL,
            ChatTemplate.MODEL + ", " + String.join(", ", ChatTemplate.BUILT_IN),
            "the chat template: the model's own (chat_template.jinja or tokenizer_config.json), or one shipped with "
                    + "Calibra for models without one");
    static final ParameterSpec ADD_GENERATION_PROMPT = new ParameterSpec("add_generation_prompt", "bool", "false",
            "true, false", "passed to the template: end each rendering with the assistant header");
    static final ParameterSpec ENABLE_THINKING = new ParameterSpec("enable_thinking", "enum", "unset", "unset, true, false",
            "passed to the template as enable_thinking (Qwen3 reads it); unset passes nothing, so the template's default holds");
    static final ParameterSpec DATE_STRING = new ParameterSpec("date_string", "string", "", "any text; empty passes nothing",
            "passed as date_string (Llama 3.x prints it as today's date); without it the template's fallback, never the clock");
    static final ParameterSpec PACKING = new ParameterSpec("packing", "enum", "whole", "whole, packed",
            "whole: a row is one conversation, the first seq_len tokens of its rendering (distinct conversations; "
                    + "shorter ones are not drawn); packed: the renderings joined back to back, a row is any seq_len window");
    static final ParameterSpec REPLIES = new ParameterSpec("replies", "enum", "corpus", "corpus, model",
            "corpus: the conversations' own assistant turns; model: each conversation up to its last user message with the "
                    + "generation prompt, then the model samples the reply to seq_len tokens (temperature, top_k, top_p, "
                    + "repetition_penalty; packing whole only)");
    static final ParameterSpec ON_TEMPLATE_ERROR = new ParameterSpec("on_template_error", "enum", "fail", "fail, skip",
            "a conversation the template refuses (Gemma 2: 'System role not supported') fails the draw, or is left out");

    @Override
    public String name() {
        return "chat";
    }

    @Override
    public String version() {
        return "1";
    }

    @Override
    public String description() {
        return "conversations rendered with a chat template: one per row, or packed";
    }

    @Override
    public List<ParameterSpec> parameters() {
        List<ParameterSpec> parameters = new ArrayList<>(List.of(TEMPLATE, ADD_GENERATION_PROMPT, ENABLE_THINKING, DATE_STRING,
                PACKING, REPLIES, ON_TEMPLATE_ERROR));
        parameters.addAll(SelfGeneratedStrategy.SAMPLING);
        return List.copyOf(parameters);
    }

    @Override
    public List<Sample> draw(DrawRequest request) throws IOException {
        CorpusInput corpus = request.singleCorpus(name());
        if (corpus.rule().kind() != DocumentRule.Kind.CHAT) {
            throw new IllegalArgumentException("strategy chat draws conversations, but corpus " + corpus.name()
                    + " is cut under the rule " + corpus.rule().label() + "; register the .jsonl with document_rule chat");
        }
        Parameters parameters = request.parameters();
        boolean modelReplies = parameters.oneOf("replies", "corpus", "model").equals("model");
        String packing = parameters.oneOf("packing", "whole", "packed");
        if (modelReplies && packing.equals("packed")) {
            throw new IllegalArgumentException("replies model writes one reply per row; use packing whole");
        }
        for (ParameterSpec sampling : SelfGeneratedStrategy.SAMPLING) {
            if (!modelReplies && !parameters.string(sampling.name()).equals(sampling.defaultValue())) {
                // it would change the recorded spec but not one token
                throw new IllegalArgumentException("parameter " + sampling.name() + " applies to replies model only; the replies are "
                        + "the corpus's here");
            }
        }
        ChatRenderings renderings = new ChatRenderings(corpus, request.model().chatTemplate(parameters.string("template")),
                parameters.bool("add_generation_prompt"), options(parameters), request.tokenizer(),
                parameters.oneOf("on_template_error", "fail", "skip").equals("skip"),
                modelReplies, request.tokenCache());
        SplitMix64 random = new SplitMix64(request.seed());
        if (modelReplies) {
            return modelWritten(renderings, request, random);
        }
        return packing.equals("whole") ? whole(renderings, request, random) : packed(renderings, request, random);
    }

    /** The template variables the parameters set; "unset" and "" pass nothing. */
    static Map<String, Object> options(Parameters parameters) {
        Map<String, Object> options = new TreeMap<>();
        String thinking = parameters.oneOf("enable_thinking", "unset", "true", "false");
        if (!thinking.equals("unset")) {
            options.put("enable_thinking", Boolean.parseBoolean(thinking));
        }
        if (!parameters.string("date_string").isEmpty()) {
            options.put("date_string", parameters.string("date_string"));
        }
        return options;
    }

    private List<Sample> whole(ChatRenderings renderings, DrawRequest request, SplitMix64 random) throws IOException {
        int[] lengths = renderings.lengths();
        int[] eligible = java.util.stream.IntStream.range(0, lengths.length).filter(i -> lengths[i] >= request.seqLen()).toArray();
        if (eligible.length < request.nSamples()) {
            int longest = Arrays.stream(lengths).max().orElse(0);
            throw new IllegalArgumentException("only " + eligible.length + " conversations of corpus " + renderings.corpus().name()
                    + " render to at least seq_len " + request.seqLen() + " tokens (the longest has " + longest + "), fewer than n_samples "
                    + request.nSamples() + "; lower seq_len or n_samples, or use packing packed");
        }
        Map<Long, int[]> tokens = renderings.tokens(choose(random, eligible, request.nSamples()));
        List<Sample> rows = new ArrayList<>(request.nSamples());
        for (int i = 0; i < request.nSamples(); i++) {
            rows.add(new Sample(Arrays.copyOf(tokens.get((long) eligible[i]), request.seqLen()),
                    renderings.corpus().corpusId(), eligible[i], 0));
        }
        return rows;
    }

    /** Distinct conversations whose prompt leaves room in the row; the model samples each reply with its own seed. */
    private List<Sample> modelWritten(ChatRenderings renderings, DrawRequest request, SplitMix64 random) throws IOException {
        int[] lengths = renderings.lengths();
        int[] eligible = java.util.stream.IntStream.range(0, lengths.length)
                .filter(i -> lengths[i] > 0 && lengths[i] < request.seqLen()).toArray();
        if (eligible.length < request.nSamples()) {
            throw new IllegalArgumentException("only " + eligible.length + " conversations of corpus " + renderings.corpus().name()
                    + " have a user message whose prompt is shorter than seq_len " + request.seqLen() + ", fewer than n_samples "
                    + request.nSamples() + "; raise seq_len or lower n_samples");
        }
        Map<Long, int[]> prompts = renderings.tokens(choose(random, eligible, request.nSamples()));
        Generator generator = new Generator(request.model().model());
        List<Sample> rows = new ArrayList<>(request.nSamples());
        for (int i = 0; i < request.nSamples(); i++) {
            int[] row = SelfGeneratedStrategy.continueTo(generator, prompts.get((long) eligible[i]), request.seqLen(),
                    request.parameters(), random.nextLong());
            rows.add(new Sample(row, renderings.corpus().corpusId(), eligible[i], 0));
        }
        return rows;
    }

    /** A seeded partial shuffle: the first n of {@code eligible} become the chosen conversations, in draw order. */
    private static TreeSet<Long> choose(SplitMix64 random, int[] eligible, int n) {
        Draws.partialShuffle(random, eligible, n);
        TreeSet<Long> chosen = new TreeSet<>();
        for (int i = 0; i < n; i++) {
            chosen.add((long) eligible[i]);
        }
        return chosen;
    }

    private List<Sample> packed(ChatRenderings renderings, DrawRequest request, SplitMix64 random) throws IOException {
        int[] lengths = renderings.lengths();
        long[] starts = new long[lengths.length + 1];
        for (int i = 0; i < lengths.length; i++) {
            starts[i + 1] = starts[i] + lengths[i];
        }
        long total = starts[lengths.length];
        int window = request.seqLen();
        if (total < window) {
            throw new IllegalArgumentException("corpus " + renderings.corpus().name() + " renders to " + total
                    + " tokens in all, fewer than one " + window + "-token window");
        }
        long[] offsets = new long[request.nSamples()];
        TreeSet<Long> needed = new TreeSet<>();
        for (int i = 0; i < offsets.length; i++) {
            offsets[i] = Draws.uniform(random, total - window + 1);
            for (int c = conversationAt(starts, offsets[i]); c < lengths.length && starts[c] < offsets[i] + window; c++) {
                needed.add((long) c);
            }
        }
        Map<Long, int[]> tokens = renderings.tokens(needed);
        List<Sample> rows = new ArrayList<>(offsets.length);
        for (long offset : offsets) {
            int first = conversationAt(starts, offset);
            int[] row = new int[window];
            int filled = 0;
            for (int c = first; filled < window; c++) {
                int from = (int) Math.max(0, offset + filled - starts[c]);
                int take = Math.min(window - filled, lengths[c] - from);
                System.arraycopy(tokens.get((long) c), from, row, filled, take);
                filled += take;
            }
            rows.add(new Sample(row, renderings.corpus().corpusId(), first, offset - starts[first]));
        }
        return rows;
    }

    /** The conversation whose tokens hold joined offset {@code offset} (empty renderings skipped). */
    private static int conversationAt(long[] starts, long offset) {
        int index = Arrays.binarySearch(starts, offset);
        if (index < 0) {
            return -index - 2;
        }
        // several conversations can start here when some render to nothing: take the last, which is not empty
        while (index + 1 < starts.length - 1 && starts[index + 1] == offset) {
            index++;
        }
        return index;
    }
}

package dev.calibra.evaluation.task;

import java.util.List;

/**
 * One task example as text requests, before tokenization: request i scores {@code continuations[i]}
 * after {@code contexts[i]}. {@code choiceLengths[i]} is the choice's length in characters (Unicode code
 * points, as Python's len) for acc_norm; {@code gold} indexes the right request.
 *
 * @param line 1-based line of the example in its file, for error messages
 */
public record Example(int line, List<String> contexts, List<String> continuations, List<Integer> choiceLengths, int gold) {

    public Example {
        contexts = List.copyOf(contexts);
        continuations = List.copyOf(continuations);
        choiceLengths = List.copyOf(choiceLengths);
        if (contexts.size() != continuations.size() || contexts.size() != choiceLengths.size()) {
            throw new IllegalArgumentException("line " + line + ": contexts, continuations and lengths differ in number");
        }
    }

    public int choiceCount() {
        return contexts.size();
    }
}

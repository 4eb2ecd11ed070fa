package dev.calibra.evaluation.task;

import java.util.List;

/**
 * One task, as declared in tasks.json: a new task of a known kind is a new entry there, no code.
 *
 * @param name            name used in requests and recorded scores, e.g. "arc_easy"
 * @param kind            how rows are read and scored
 * @param file            task file, relative to the assets folder
 * @param template        context template; {field} is replaced by the row's field (after strip_prefix)
 * @param targetDelimiter put between context and each choice (lm-eval's target_delimiter)
 * @param stripPrefix     removed from the start of every `query` field (the file has it; lm-eval's prompt has not)
 * @param choices         fixed answer strings for kinds whose rows carry only a label (rte)
 */
public record TaskSpec(String name, TaskKind kind, String file, String template, String targetDelimiter,
        String stripPrefix, List<String> choices) {

    public TaskSpec {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("task name must not be empty");
        }
        if (file == null || file.isBlank()) {
            throw new IllegalArgumentException("task " + name + ": file must not be empty");
        }
        template = template == null ? "{query}" : template;
        targetDelimiter = targetDelimiter == null ? " " : targetDelimiter;
        stripPrefix = stripPrefix == null ? "" : stripPrefix;
        choices = choices == null ? List.of() : List.copyOf(choices);
    }

    public List<String> metrics() {
        return kind.metrics();
    }
}

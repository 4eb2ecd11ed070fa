package dev.calibra.evaluation.task;

import java.util.List;

/** How a task file's rows become scored requests; each kind is one reader in {@link TaskReader}. */
public enum TaskKind {
    /** {query, choices[], gold}: context = template(query), continuation = delimiter + choice. */
    MULTIPLE_CHOICE("multiple_choice", List.of("acc", "acc_norm")),
    /** {context_options[], continuation, gold}: each option is a context, the continuation is shared. */
    PARTIAL_SCORING("partial_scoring", List.of("acc")),
    /** Original HellaSwag rows {activity_label, ctx_a, ctx_b, endings[], label}, lm-eval's preprocessing. */
    HELLASWAG("hellaswag", List.of("acc", "acc_norm")),
    /** GLUE RTE TSV (sentence1, sentence2, label, idx); label 0 = entailment = the first choice. */
    RTE("rte", List.of("acc")),
    /** {context, continuation}: is the whole final word the greedy prediction, and its perplexity. */
    LAMBADA("lambada", List.of("acc", "perplexity"));

    private final String wireName;
    private final List<String> metrics;

    TaskKind(String wireName, List<String> metrics) {
        this.wireName = wireName;
        this.metrics = metrics;
    }

    public String wireName() {
        return wireName;
    }

    public List<String> metrics() {
        return metrics;
    }

    public static TaskKind parse(String name) {
        for (TaskKind kind : values()) {
            if (kind.wireName.equals(name)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown task kind '" + name + "'; known: multiple_choice, partial_scoring, "
                + "hellaswag, rte, lambada");
    }
}

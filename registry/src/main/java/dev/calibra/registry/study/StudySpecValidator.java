package dev.calibra.registry.study;

import dev.calibra.contract.MethodContracts;
import dev.calibra.contract.ServingTargets;
import dev.calibra.proto.v1.CompressionParameters;
import dev.calibra.proto.v1.PerplexitySpec;
import dev.calibra.proto.v1.StudyEvaluation;
import dev.calibra.proto.v1.StudyMethod;
import dev.calibra.proto.v1.StudySource;
import dev.calibra.proto.v1.StudySpec;
import dev.calibra.proto.v1.WeightedCorpus;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Checks a study spec before any job exists and resolves model and corpus names to ids. Every problem
 * names its YAML path; the names of methods, strategies and tasks are those the services serve.
 */
public final class StudySpecValidator {

    /** Whether a method of the contract reads no calibration data: the study's no-calibration baselines. */
    public static boolean dataFree(String method) {
        return MethodContracts.find(method).map(info -> !info.getNeedsCalibration()).orElse(false);
    }

    public static final List<String> STRATEGIES = List.of("random_window", "concat_window", "disjoint_sets", "mixture",
            "self_generated", "random_tokens", "chat");
    /** Strategies that may run without a corpus. */
    private static final Set<String> CORPUS_FREE = Set.of("self_generated", "random_tokens");
    public static final List<String> TASKS = List.of("arc_easy", "arc_challenge", "piqa", "boolq", "openbookqa", "copa",
            "winogrande", "hellaswag", "rte", "lambada_openai");
    private static final int MAX_SETS = 1000;

    /** A registered record as the validator needs it. */
    public record Named(String id, String name) {}

    /** The spec with ids in place of names, and every label filled. */
    public record Resolved(StudySpec spec, Map<String, String> modelNames) {}

    private final Function<String, Optional<Named>> models;
    private final Function<String, Optional<Named>> corpora;

    public StudySpecValidator(Function<String, Optional<Named>> models, Function<String, Optional<Named>> corpora) {
        this.models = models;
        this.corpora = corpora;
    }

    public Resolved validate(StudySpec spec, SpecErrors errors) {
        StudySpec.Builder out = spec.toBuilder();
        if (out.getName().isBlank()) {
            out.setName("study");
        }
        Map<String, String> modelNames = new LinkedHashMap<>();
        out.clearModels();
        if (spec.getModelsCount() == 0) {
            errors.add("models", "must name at least one registered model");
        }
        for (int i = 0; i < spec.getModelsCount(); i++) {
            String reference = spec.getModels(i).strip();
            Optional<Named> model = reference.isEmpty() ? Optional.empty() : models.apply(reference);
            if (model.isEmpty()) {
                errors.add("models[" + i + "]", "'" + reference + "' is not a registered model (register it with: calibra models register)");
            } else if (modelNames.putIfAbsent(model.get().id(), model.get().name()) == null) {
                out.addModels(model.get().id());
            }
        }
        if (spec.getMethodsCount() == 0 && !spec.getIncludeDense()) {
            errors.add("methods", "must list at least one method (or set include_dense: true)");
        }
        Set<String> methodLabels = new HashSet<>();
        boolean needsCalibration = false;
        for (int i = 0; i < spec.getMethodsCount(); i++) {
            StudyMethod method = method(spec.getMethods(i), "methods[" + i + "]", errors);
            if (!methodLabels.add(method.getLabel())) {
                errors.add("methods[" + i + "].label", "'" + method.getLabel() + "' is used twice; labels must be unique");
            }
            needsCalibration |= !dataFree(method.getMethod());
            out.setMethods(i, method);
        }
        if (needsCalibration && spec.getSourcesCount() == 0) {
            errors.add("sources", "must list at least one calibration source for the methods that need calibration data");
        }
        Set<String> sourceLabels = new HashSet<>();
        for (int i = 0; i < spec.getSourcesCount(); i++) {
            StudySource source = source(spec.getSources(i), "sources[" + i + "]", errors);
            if (!sourceLabels.add(source.getLabel())) {
                errors.add("sources[" + i + "].label", "'" + source.getLabel() + "' is used twice; labels must be unique");
            }
            out.setSources(i, source);
        }
        out.setEvaluation(evaluation(spec.getEvaluation(), errors));
        return new Resolved(out.build(), modelNames);
    }

    /** The method and its parameters against the contract of compression.proto, each problem at its YAML path. */
    private StudyMethod method(StudyMethod method, String path, SpecErrors errors) {
        for (String problem : MethodContracts.problems(method.getMethod(), method.getParameters())) {
            int colon = problem.indexOf(':');
            String field = problem.substring(0, colon);
            errors.add(field.equals("method") ? path + ".method" : path + "." + field, problem.substring(colon + 2));
        }
        MethodContracts.formatProblem(method.getMethod(), method.getFormat(), method.getParameters())
                .ifPresent(problem -> errors.add(path + ".format", problem.substring("format: ".length())));
        if (MethodContracts.find(method.getMethod()).isEmpty()) {
            return method;
        }
        if (!method.getTarget().isBlank()) {
            // the target's defaults become the method's parameters, so its label and jobs say what runs
            try {
                method = method.toBuilder().setParameters(ServingTargets.apply(method.getTarget(), method.getMethod(),
                        method.getFormat(), method.getParameters())).build();
            } catch (IllegalArgumentException e) {
                String problem = e.getMessage();   // "target vllm: bits: ..." or "target: 'x' is not a known target"
                errors.add(path + ".target", problem.substring(problem.startsWith("target: ") ? 8 : 7));
            }
        }
        return method.getLabel().isBlank() ? method.toBuilder().setLabel(defaultLabel(method)).build() : method;
    }

    static String defaultLabel(StudyMethod method) {
        CompressionParameters p = method.getParameters();
        String name = method.getMethod();
        if (MethodContracts.require(name).getKind().equals("quantization")) {
            Object bits = MethodContracts.value(name, p, "bits").orElse("?");
            Object groupSize = MethodContracts.value(name, p, "group_size").orElse(-1);
            return name + "-" + bits + "bit" + ((Integer) groupSize > 0 ? "-g" + groupSize : "");
        }
        if (p.hasPruneN()) {
            return name + "-" + p.getPruneN() + ":" + p.getPruneM();
        }
        return name + "-" + Math.round(p.getSparsity() * 100) + "%";
    }

    private StudySource source(StudySource source, String path, SpecErrors errors) {
        StudySource.Builder out = source.toBuilder();
        var spec = out.getSpecBuilder();
        String strategy = spec.getStrategy();
        if (!STRATEGIES.contains(strategy)) {
            errors.add(path + ".strategy", (strategy.isEmpty() ? "is required" : "'" + strategy + "' is not a known strategy")
                    + "; known: " + String.join(", ", STRATEGIES));
        }
        if (spec.getNSamples() <= 0) {
            errors.add(path + ".n_samples", "must be > 0, got " + spec.getNSamples());
        }
        if (spec.getSeqLen() <= 0) {
            errors.add(path + ".seq_len", "must be > 0, got " + spec.getSeqLen());
        }
        if (source.getSets() < 1 || source.getSets() > MAX_SETS) {
            errors.add(path + ".sets", "must be between 1 and " + MAX_SETS + ", got " + source.getSets());
        }
        if (spec.getCorporaCount() == 0 && STRATEGIES.contains(strategy) && !CORPUS_FREE.contains(strategy)) {
            errors.add(path + ".corpora", "must name at least one registered corpus for strategy " + strategy);
        }
        if (!spec.getModelId().isEmpty()) {
            errors.add(path + ".model_id", "must be left out: each study model calibrates with its own tokenizer");
        }
        String names = "";
        for (int j = 0; j < spec.getCorporaCount(); j++) {
            WeightedCorpus corpus = spec.getCorpora(j);
            String corpusPath = path + ".corpora[" + j + "]";
            if (!(corpus.getWeight() > 0)) {
                errors.add(corpusPath + ".weight", "must be > 0, got " + corpus.getWeight());
            }
            Optional<Named> found = corpus.getCorpusId().isBlank() ? Optional.empty() : corpora.apply(corpus.getCorpusId().strip());
            if (found.isEmpty()) {
                errors.add(corpusPath, "'" + corpus.getCorpusId() + "' is not a registered corpus (add it with: calibra corpora add)");
            } else {
                spec.setCorpora(j, corpus.toBuilder().setCorpusId(found.get().id()));
                names += (names.isEmpty() ? "" : "+") + found.get().name();
            }
        }
        if (out.getLabel().isBlank()) {
            out.setLabel(names.isEmpty() || strategy.equals("self_generated") ? strategy : names);
        }
        return out.build();
    }

    private StudyEvaluation evaluation(StudyEvaluation evaluation, SpecErrors errors) {
        StudyEvaluation.Builder out = evaluation.toBuilder();
        if (evaluation.getTasksCount() == 0 && evaluation.getPerplexityCount() == 0) {
            errors.add("evaluation", "must list tasks or perplexity texts; a study without evaluations measures nothing");
        }
        for (int i = 0; i < evaluation.getTasksCount(); i++) {
            if (!TASKS.contains(evaluation.getTasks(i))) {
                errors.add("evaluation.tasks[" + i + "]", "'" + evaluation.getTasks(i) + "' is not a known task; known: "
                        + String.join(", ", TASKS));
            }
        }
        if (evaluation.getLimit() < 0) {
            errors.add("evaluation.limit", "must be >= 0 (0 = every example), got " + evaluation.getLimit());
        }
        if (evaluation.getBatchSize() < 0) {
            errors.add("evaluation.batch_size", "must be > 0, got " + evaluation.getBatchSize());
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < evaluation.getPerplexityCount(); i++) {
            out.setPerplexity(i, perplexity(evaluation.getPerplexity(i), "evaluation.perplexity[" + i + "]", errors));
            if (!names.add(out.getPerplexity(i).getName())) {
                errors.add("evaluation.perplexity[" + i + "].name", "'" + out.getPerplexity(i).getName() + "' is used twice");
            }
        }
        return out.build();
    }

    private PerplexitySpec perplexity(PerplexitySpec text, String path, SpecErrors errors) {
        PerplexitySpec.Builder out = text.toBuilder();
        boolean hasCorpus = !text.getCorpusId().isBlank();
        boolean hasPath = !text.getPath().isBlank();
        if (hasCorpus == hasPath) {
            errors.add(path, "must give exactly one of corpus or path");
        } else if (hasCorpus) {
            Optional<Named> corpus = corpora.apply(text.getCorpusId().strip());
            if (corpus.isEmpty()) {
                errors.add(path + ".corpus", "'" + text.getCorpusId() + "' is not a registered corpus");
            } else {
                out.setCorpusId(corpus.get().id());
                if (out.getName().isBlank()) {
                    out.setName(corpus.get().name());
                }
            }
        } else if (!Path.of(text.getPath()).isAbsolute() || !Path.of(text.getPath()).toFile().isFile()) {
            errors.add(path + ".path", "'" + text.getPath() + "' is not an absolute path of an existing file");
        } else if (out.getName().isBlank()) {
            out.setName(Path.of(text.getPath()).getFileName().toString());
        }
        if (text.getSeqLen() < 0) {
            errors.add(path + ".seq_len", "must be > 0, got " + text.getSeqLen());
        }
        if (text.getMaxTokens() < 0) {
            errors.add(path + ".max_tokens", "must be >= 0 (0 = all), got " + text.getMaxTokens());
        }
        return out.build();
    }
}

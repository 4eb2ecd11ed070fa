package dev.calibra.registry.study;

import dev.calibra.contract.MethodContracts;
import dev.calibra.proto.v1.ReportBaseline;
import dev.calibra.proto.v1.ReportGroup;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Sentences that say what a study's numbers show: which method was most (and least) sensitive to the
 * calibration data, by how much, whether that spread exceeds the evaluation's own standard error, every method's
 * spread against the paper's ordering,
 * how the sources rank per method, and whether perplexity and accuracy agreed. The wording follows
 * the data; nothing is said that the groups do not support.
 */
public final class Findings {

    /** Spread / standard error above this is called beyond the evaluation's noise; below 1, within it. */
    static final double BEYOND_NOISE = 2.0;

    private Findings() {}

    public static List<String> of(List<ReportGroup> groups, List<ReportBaseline> baselines) {
        return of(groups, baselines, Map.of());
    }

    /**
     * @param methodOf the compression method ("spqr") of each method label ("spqr-3bit") in the study's spec; a label
     *                 missing here is taken as the method's name
     */
    public static List<String> of(List<ReportGroup> groups, List<ReportBaseline> baselines, Map<String, String> methodOf) {
        List<String> findings = new ArrayList<>();
        if (groups.isEmpty() && baselines.isEmpty()) {
            findings.add("No scores are recorded for this study yet.");
            return findings;
        }
        if (groups.isEmpty()) {
            // Nothing was calibrated (or nothing calibrated is scored yet): say what the baselines scored.
            findings.add("No calibrated model is scored yet; the baselines scored: " + String.join(", ", baselines.stream()
                    .map(b -> b.getMethod() + " " + b.getTask() + " " + b.getMetric() + " " + number(b.getValue())
                            + (b.getStderr() > 0 ? " (stderr " + number(b.getStderr()) + ")" : ""))
                    .toList()) + ".");
            return findings;
        }
        String accuracyTask = accuracyTask(groups);
        List<ReportGroup> accuracy = select(groups, accuracyTask, "acc");
        if (!accuracy.isEmpty()) {
            findings.addAll(sensitivity(accuracy, label(accuracyTask) + " accuracy", true));
            findings.addAll(spreads(accuracy, label(accuracyTask) + " accuracy", true, methodOf));
            findings.addAll(ranking(accuracy, label(accuracyTask) + " accuracy", true));
        }
        // Perplexity texts first, then tasks that also report a perplexity (lambada): the texts are what a study asks for.
        Set<String> tasks = groups.stream().filter(g -> g.getMetric().equals("acc")).map(ReportGroup::getTask).collect(Collectors.toSet());
        List<String> texts = groups.stream().filter(g -> g.getMetric().equals("perplexity")).map(ReportGroup::getTask)
                .distinct().sorted(Comparator.comparing(tasks::contains)).toList();
        for (String text : texts) {
            findings.addAll(sensitivity(select(groups, text, "perplexity"), text + " perplexity", false));
            if (text.equals(texts.get(0))) {
                findings.addAll(spreads(select(groups, text, "perplexity"), text + " perplexity", false, methodOf));
            }
        }
        if (!accuracy.isEmpty() && !texts.isEmpty()) {
            findings.add(agreement(accuracy, select(groups, texts.get(0), "perplexity"), label(accuracyTask), texts.get(0)));
        }
        String baselineSentence = baselines(baselines, accuracyTask, texts);
        if (!baselineSentence.isEmpty()) {
            findings.add(baselineSentence);
        }
        return findings;
    }

    /** The accuracy the findings talk about: the task average when there is one, else the first task. */
    private static String accuracyTask(List<ReportGroup> groups) {
        return groups.stream().filter(g -> g.getMetric().equals("acc")).map(ReportGroup::getTask)
                .filter(ReportAggregator.TASK_AVERAGE::equals).findFirst()
                .orElse(groups.stream().filter(g -> g.getMetric().equals("acc")).map(ReportGroup::getTask).findFirst().orElse(""));
    }

    private static String label(String task) {
        return task.equals(ReportAggregator.TASK_AVERAGE) ? "Task-average" : task;
    }

    private static List<ReportGroup> select(List<ReportGroup> groups, String task, String metric) {
        return groups.stream().filter(g -> g.getTask().equals(task) && g.getMetric().equals(metric)).toList();
    }

    private static Map<String, List<ReportGroup>> byMethod(List<ReportGroup> groups) {
        return groups.stream().collect(Collectors.groupingBy(ReportGroup::getMethod, LinkedHashMap::new, Collectors.toList()));
    }

    private static List<String> sensitivity(List<ReportGroup> groups, String what, boolean accuracy) {
        Map<String, List<ReportGroup>> methods = byMethod(groups);
        if (groups.stream().allMatch(g -> g.getValuesCount() < 2)) {
            return List.of(what + ": each source has one calibration set, so the spread across sets is not measured.");
        }
        // Perplexities differ in scale between methods: compare their spread relative to the mean.
        Comparator<Map.Entry<String, List<ReportGroup>>> bySpread = Comparator.comparingDouble(e -> spread(e.getValue(), accuracy));
        var most = methods.entrySet().stream().max(bySpread).orElseThrow();
        var least = methods.entrySet().stream().min(bySpread).orElseThrow();
        List<String> sentences = new ArrayList<>();
        sentences.add(describe(what, most.getKey(), most.getValue(), accuracy, "most"));
        if (methods.size() > 1) {
            sentences.add(describe(what, least.getKey(), least.getValue(), accuracy, "least"));
        }
        return sentences;
    }

    /** A method's spread across calibration sets: mean standard deviation over sources, relative to the mean for perplexity. */
    private static double spread(List<ReportGroup> groups, boolean accuracy) {
        return groups.stream().mapToDouble(g -> accuracy || g.getMean() == 0 ? g.getStd() : g.getStd() / g.getMean())
                .average().orElse(0);
    }

    /**
     * Every calibrated method by its spread, least first, and the paper's question: Williams & Aletras (ACL 2024) found
     * SpQR the least sensitive of GPTQ, SpQR, SparseGPT and Wanda, and the pruning methods more sensitive than the
     * quantizers. Said only where the study measured a spread, and in the data's words.
     */
    private static List<String> spreads(List<ReportGroup> groups, String what, boolean accuracy, Map<String, String> methodOf) {
        Map<String, List<ReportGroup>> methods = byMethod(groups);
        if (methods.size() < 2 || groups.stream().allMatch(g -> g.getValuesCount() < 2)) {
            return List.of();
        }
        List<Map.Entry<String, Double>> ranked = methods.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), spread(e.getValue(), accuracy)))
                .sorted(Map.Entry.comparingByValue()).toList();
        List<String> sentences = new ArrayList<>();
        sentences.add(String.format(Locale.ROOT, "%s, calibrated methods by their spread across calibration sets (%s), least first: %s.",
                what, accuracy ? "mean standard deviation" : "mean standard deviation relative to the mean",
                ranked.stream().map(e -> e.getKey() + " " + (accuracy ? number(e.getValue())
                        : String.format(Locale.ROOT, "%.2f%%", 100 * e.getValue()))).collect(Collectors.joining(" < "))));
        List<String> spqr = ranked.stream().map(Map.Entry::getKey).filter(label -> method(label, methodOf).equals("spqr")).toList();
        Map<String, List<Double>> byKind = new LinkedHashMap<>();
        for (Map.Entry<String, Double> entry : ranked) {
            MethodContracts.find(method(entry.getKey(), methodOf))
                    .ifPresent(info -> byKind.computeIfAbsent(info.getKind(), kind -> new ArrayList<>()).add(entry.getValue()));
        }
        List<String> paper = new ArrayList<>();
        if (!spqr.isEmpty()) {
            int rank = ranked.stream().map(Map.Entry::getKey).toList().indexOf(spqr.get(0)) + 1;
            paper.add(String.format(Locale.ROOT, "%s ranked %d of %d (1 = least sensitive)%s", spqr.get(0), rank, ranked.size(),
                    rank == 1 ? ", as the paper found" : ", not the least sensitive as the paper found"));
        }
        if (byKind.containsKey("pruning") && byKind.containsKey("quantization")) {
            double pruning = byKind.get("pruning").stream().mapToDouble(Double::doubleValue).average().orElse(0);
            double quantization = byKind.get("quantization").stream().mapToDouble(Double::doubleValue).average().orElse(0);
            paper.add(quantization == 0 ? "the quantizers' spread was zero"
                    : String.format(Locale.ROOT, "the pruning methods' mean spread was %.2fx the quantizers'%s", pruning / quantization,
                            pruning > quantization ? ", as the paper found" : ", the reverse of the paper's finding"));
        }
        if (!paper.isEmpty()) {
            sentences.add(what + ", against Williams & Aletras (ACL 2024), who found SpQR the least sensitive of GPTQ, SpQR,"
                    + " SparseGPT and Wanda and pruning more sensitive than quantization: " + String.join("; ", paper) + ".");
        }
        return sentences;
    }

    private static String method(String label, Map<String, String> methodOf) {
        return methodOf.getOrDefault(label, label);
    }

    private static String describe(String what, String method, List<ReportGroup> groups, boolean accuracy, String mostOrLeast) {
        double std = groups.stream().mapToDouble(ReportGroup::getStd).average().orElse(0);
        ReportGroup widest = groups.stream().max(Comparator.comparingDouble(ReportGroup::getRange)).orElseThrow();
        double mean = groups.stream().mapToDouble(ReportGroup::getMean).average().orElse(0);
        double noise = groups.stream().mapToDouble(ReportGroup::getEvalStderr).average().orElse(0);
        String sentence = String.format(Locale.ROOT,
                "%s: %s was the %s sensitive method to the calibration data: across calibration sets its standard deviation "
                        + "averaged %s over %d source%s (mean %s%s), the widest range being %s with %s.",
                what, method, mostOrLeast, number(std), groups.size(), groups.size() == 1 ? "" : "s", number(mean),
                accuracy || mean == 0 ? "" : String.format(Locale.ROOT, ", %.1f%% of it", 100 * std / mean),
                number(widest.getRange()), widest.getSource());
        if (noise <= 0) {
            return sentence + " The evaluation reports no standard error for this metric, so the spread is not compared with its noise.";
        }
        double ratio = std / noise;
        String verdict = ratio >= BEYOND_NOISE ? "beyond the evaluation's own noise"
                : ratio < 1 ? "within the evaluation's own noise" : "about the size of the evaluation's own noise";
        return sentence + String.format(Locale.ROOT, " That is %.2fx the evaluation's standard error of %s: %s.", ratio,
                number(noise), verdict);
    }

    private static List<String> ranking(List<ReportGroup> groups, String what, boolean higherIsBetter) {
        List<String> sentences = new ArrayList<>();
        byMethod(groups).forEach((method, perSource) -> {
            if (perSource.size() < 2) {
                return;
            }
            List<ReportGroup> ranked = perSource.stream().sorted(Comparator.comparingDouble(
                    (ReportGroup g) -> higherIsBetter ? -g.getMean() : g.getMean())).toList();
            sentences.add(String.format(Locale.ROOT, "%s, sources ranked by %s: %s.", method, what.toLowerCase(Locale.ROOT),
                    ranked.stream().map(g -> g.getSource() + " " + number(g.getMean())).collect(Collectors.joining(" > "))));
        });
        return sentences;
    }

    private static String agreement(List<ReportGroup> accuracy, List<ReportGroup> perplexity, String accuracyLabel, String text) {
        int methods = 0;
        int sameBest = 0;
        double rhoSum = 0;
        for (var entry : byMethod(accuracy).entrySet()) {
            Map<String, Double> acc = new LinkedHashMap<>();
            entry.getValue().forEach(g -> acc.put(g.getModel() + "/" + g.getSource(), g.getMean()));
            Map<String, Double> ppl = new LinkedHashMap<>();
            perplexity.stream().filter(g -> g.getMethod().equals(entry.getKey()))
                    .forEach(g -> ppl.put(g.getModel() + "/" + g.getSource(), -g.getMean()));
            List<String> common = acc.keySet().stream().filter(ppl::containsKey).toList();
            if (common.size() < 2) {
                continue;
            }
            methods++;
            String bestAcc = common.stream().max(Comparator.comparingDouble(acc::get)).orElseThrow();
            String bestPpl = common.stream().max(Comparator.comparingDouble(ppl::get)).orElseThrow();
            sameBest += bestAcc.equals(bestPpl) ? 1 : 0;
            rhoSum += spearman(common.stream().map(acc::get).toList(), common.stream().map(ppl::get).toList());
        }
        if (methods == 0) {
            return "Perplexity and accuracy cannot be compared: no method has two sources scored on both.";
        }
        double rho = rhoSum / methods;
        String verdict = rho >= 0.5 ? "they largely agreed" : rho <= -0.5 ? "they disagreed" : "they agreed only weakly";
        return String.format(Locale.ROOT,
                "%s perplexity and %s accuracy picked the same best calibration source for %d of %d method%s; the rank "
                        + "correlation of sources (lower perplexity vs higher accuracy) averaged %.2f: %s.",
                text, accuracyLabel.toLowerCase(Locale.ROOT), sameBest, methods, methods == 1 ? "" : "s", rho, verdict);
    }

    /** Spearman's rank correlation (average ranks for ties). */
    static double spearman(List<Double> x, List<Double> y) {
        double[] rx = ranks(x);
        double[] ry = ranks(y);
        double mx = java.util.Arrays.stream(rx).average().orElse(0);
        double my = java.util.Arrays.stream(ry).average().orElse(0);
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < rx.length; i++) {
            sxy += (rx[i] - mx) * (ry[i] - my);
            sxx += (rx[i] - mx) * (rx[i] - mx);
            syy += (ry[i] - my) * (ry[i] - my);
        }
        return sxx == 0 || syy == 0 ? 0 : sxy / Math.sqrt(sxx * syy);
    }

    private static double[] ranks(List<Double> values) {
        double[] ranks = new double[values.size()];
        for (int i = 0; i < values.size(); i++) {
            int below = 0, equal = 0;
            for (double other : values) {
                below += other < values.get(i) ? 1 : 0;
                equal += other == values.get(i) ? 1 : 0;
            }
            ranks[i] = below + (equal + 1) / 2.0;
        }
        return ranks;
    }

    private static String baselines(List<ReportBaseline> baselines, String accuracyTask, List<String> texts) {
        List<String> parts = new ArrayList<>();
        for (ReportBaseline baseline : baselines) {
            boolean accuracy = baseline.getTask().equals(accuracyTask) && baseline.getMetric().equals("acc");
            boolean perplexity = !texts.isEmpty() && baseline.getTask().equals(texts.get(0)) && baseline.getMetric().equals("perplexity");
            if (accuracy || perplexity) {
                parts.add(baseline.getMethod() + " " + (accuracy ? label(accuracyTask).toLowerCase(Locale.ROOT) + " accuracy "
                        : baseline.getTask() + " perplexity ") + number(baseline.getValue()));
            }
        }
        return parts.isEmpty() ? "" : "Baselines without calibration data: " + String.join(", ", parts) + ".";
    }

    static String number(double value) {
        return Math.abs(value) >= 100 ? String.format(Locale.ROOT, "%.1f", value) : String.format(Locale.ROOT, "%.4f", value);
    }
}

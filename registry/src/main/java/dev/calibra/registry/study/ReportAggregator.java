package dev.calibra.registry.study;

import dev.calibra.proto.v1.ReportBaseline;
import dev.calibra.proto.v1.ReportGroup;
import dev.calibra.registry.study.StudyRepository.CellScore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns a study's traced scores into report groups: one per (model, method, source, task, metric)
 * with the per-set values in set order, and one baseline per (model, method, task, metric) for the
 * dense model and the data-free methods. A "task_average" accuracy (mean of the tasks' acc, its
 * standard error sqrt(sum se^2) / k) is added per set when the study evaluated tasks.
 */
public final class ReportAggregator {

    public static final String TASK_AVERAGE = "task_average";

    private ReportAggregator() {}

    public record Aggregated(List<ReportGroup> groups, List<ReportBaseline> baselines) {}

    private record GroupKey(String model, String method, String source, String task, String metric) {}

    public static Aggregated aggregate(List<CellScore> scores) {
        List<CellScore> all = new ArrayList<>(latestOnly(scores));
        all.addAll(taskAverages(all));
        Map<GroupKey, TreeMap<Integer, CellScore>> groups = new LinkedHashMap<>();
        List<ReportBaseline> baselines = new ArrayList<>();
        for (CellScore score : all) {
            if (score.source().isEmpty()) {
                baselines.add(ReportBaseline.newBuilder().setModel(score.model()).setMethod(score.method())
                        .setTask(score.task()).setMetric(score.metric()).setValue(score.value()).setStderr(score.stderr())
                        .setModelId(score.modelId()).setEvaluateJobId(score.evaluateJobId()).build());
            } else {
                groups.computeIfAbsent(new GroupKey(score.model(), score.method(), score.source(), score.task(), score.metric()),
                        key -> new TreeMap<>()).put(score.setIndex(), score);
            }
        }
        List<ReportGroup> out = new ArrayList<>();
        groups.forEach((key, bySet) -> out.add(group(key, bySet.values())));
        return new Aggregated(out, baselines);
    }

    private static ReportGroup group(GroupKey key, java.util.Collection<CellScore> bySet) {
        List<Double> values = bySet.stream().map(CellScore::value).toList();
        Spread spread = Spread.of(values);
        ReportGroup.Builder group = ReportGroup.newBuilder().setModel(key.model()).setMethod(key.method())
                .setSource(key.source()).setTask(key.task()).setMetric(key.metric()).addAllValues(values)
                .setMean(spread.mean()).setStd(spread.std()).setMin(spread.min()).setMax(spread.max())
                .setRange(spread.range())
                .setEvalStderr(bySet.stream().mapToDouble(CellScore::stderr).average().orElse(0));
        for (CellScore score : bySet) {
            group.addSetIds(score.calibrationSetId()).addFingerprints(score.fingerprint()).addModelIds(score.modelId())
                    .addEvaluateJobIds(score.evaluateJobId()).addCompressJobIds(score.compressJobId());
        }
        return group.build();
    }

    /** A retried evaluation can have recorded a metric twice; the scores arrive oldest first. */
    private static List<CellScore> latestOnly(List<CellScore> scores) {
        Map<List<Object>, CellScore> latest = new LinkedHashMap<>();
        for (CellScore score : scores) {
            latest.put(List.of(score.model(), score.method(), score.source(), score.setIndex(), score.task(), score.metric()), score);
        }
        return List.copyOf(latest.values());
    }

    private static List<CellScore> taskAverages(List<CellScore> scores) {
        Map<List<Object>, List<CellScore>> byCell = new LinkedHashMap<>();
        for (CellScore score : scores) {
            if (score.metric().equals("acc")) {
                byCell.computeIfAbsent(List.of(score.model(), score.method(), score.source(), score.setIndex()),
                        key -> new ArrayList<>()).add(score);
            }
        }
        List<CellScore> averages = new ArrayList<>();
        byCell.forEach((key, tasks) -> {
            if (tasks.size() < 2) {
                return;
            }
            double mean = tasks.stream().mapToDouble(CellScore::value).average().orElseThrow();
            double stderr = Math.sqrt(tasks.stream().mapToDouble(t -> t.stderr() * t.stderr()).sum()) / tasks.size();
            CellScore first = tasks.get(0);
            averages.add(new CellScore(first.model(), first.method(), first.source(), first.setIndex(), first.evaluateJobId(),
                    TASK_AVERAGE, "acc", mean, stderr, first.modelId(), first.calibrationSetId(), first.fingerprint(),
                    first.compressJobId()));
        });
        return averages;
    }
}

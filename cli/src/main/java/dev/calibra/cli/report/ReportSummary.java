package dev.calibra.cli.report;

import dev.calibra.proto.v1.ReportBaseline;
import dev.calibra.proto.v1.ReportGroup;
import dev.calibra.proto.v1.StudyReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One screen for the terminal: per method and source, the headline accuracy and the first perplexity
 * as mean +/- std (range) across calibration sets; then the baselines and the findings.
 */
public final class ReportSummary {

    private ReportSummary() {}

    public static List<String> lines(StudyReport report) {
        List<ReportGroup> groups = report.getGroupsList();
        String accuracy = groups.stream().anyMatch(g -> g.getTask().equals("task_average")) ? "task_average"
                : groups.stream().filter(g -> g.getMetric().equals("acc")).map(ReportGroup::getTask).findFirst().orElse("");
        // A perplexity text rather than a task that also reports one (lambada).
        java.util.Set<String> tasks = groups.stream().filter(g -> g.getMetric().equals("acc")).map(ReportGroup::getTask)
                .collect(java.util.stream.Collectors.toSet());
        String text = groups.stream().filter(g -> g.getMetric().equals("perplexity")).map(ReportGroup::getTask)
                .sorted(java.util.Comparator.comparing(tasks::contains)).findFirst().orElse("");
        Map<String, String[]> rows = new LinkedHashMap<>();
        for (ReportGroup g : groups) {
            int column = g.getTask().equals(accuracy) && g.getMetric().equals("acc") ? 0
                    : g.getTask().equals(text) && g.getMetric().equals("perplexity") ? 1 : -1;
            if (column >= 0) {
                rows.computeIfAbsent(g.getMethod() + "\t" + g.getSource(), key -> new String[] {"", ""})[column] = String.format(
                        Locale.ROOT, "%s +/- %s (range %s, n=%d)", fmt(g.getMean()), fmt(g.getStd()), fmt(g.getRange()), g.getValuesCount());
            }
        }
        List<String> lines = new ArrayList<>();
        String header = String.format(Locale.ROOT, "%-16s %-18s %-40s %s", "method", "source",
                accuracy.isEmpty() ? "" : accuracy + " acc", text.isEmpty() ? "" : text + " perplexity");
        lines.add(header);
        lines.add("-".repeat(Math.min(120, header.length() + 10)));
        rows.forEach((key, cells) -> {
            String[] parts = key.split("\t", 2);
            lines.add(String.format(Locale.ROOT, "%-16s %-18s %-40s %s", parts[0], parts[1], cells[0], cells[1]));
        });
        for (ReportBaseline b : report.getBaselinesList()) {
            boolean shown = (b.getTask().equals(accuracy) && b.getMetric().equals("acc"))
                    || (b.getTask().equals(text) && b.getMetric().equals("perplexity"));
            if (shown) {
                lines.add(String.format(Locale.ROOT, "%-16s %-18s %s %s = %s", b.getMethod(), "(no calibration)", b.getTask(),
                        b.getMetric(), fmt(b.getValue())));
            }
        }
        lines.add("");
        report.getFindingsList().forEach(finding -> lines.add("* " + finding));
        return lines;
    }

    static String fmt(double value) {
        return Math.abs(value) >= 100 ? String.format(Locale.ROOT, "%.1f", value) : String.format(Locale.ROOT, "%.4f", value);
    }

    static Optional<ReportGroup> first(List<ReportGroup> groups) {
        return groups.stream().findFirst();
    }
}

package dev.calibra.cli.report;

import dev.calibra.proto.v1.ReportBaseline;
import dev.calibra.proto.v1.ReportGroup;
import dev.calibra.proto.v1.Study;
import dev.calibra.proto.v1.StudyReport;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The report for people: one self-contained HTML page (inline CSS, plots as base64 PNG, no JavaScript)
 * with the findings, the spread across calibration sets per method and source for the task average,
 * each task and each perplexity text, sources ranked per method, the baselines, and the lineage of
 * every number.
 */
public final class ReportHtml {

    private static final String TASK_AVERAGE = "task_average";
    private static final String STYLE = """
            body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1200px;color:#222}
            h1{margin-bottom:0}.sub{color:#666}table{border-collapse:collapse;margin:1em 0;font-size:14px}
            th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f0f0f0}
            td.l,th.l{text-align:left}img{max-width:100%;border:1px solid #eee;margin:0.5em 0}
            li{margin:0.3em 0}.mono{font-family:monospace;font-size:12px}details{margin:1em 0}
            """;

    private ReportHtml() {}

    public static String render(StudyReport report) {
        Study study = report.getStudy();
        StringBuilder html = new StringBuilder();
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Calibra study ")
                .append(escape(study.getName())).append("</title><style>").append(STYLE).append("</style></head><body>\n");
        html.append("<h1>Study ").append(escape(study.getName())).append("</h1>\n<p class=\"sub\">")
                .append(escape(study.getId())).append(" &middot; ").append(study.getState().name().replace("STUDY_STATE_", ""))
                .append(" &middot; jobs: ").append(study.getJobsSucceeded()).append(" succeeded, ").append(study.getJobsFailed())
                .append(" failed, ").append(study.getJobsCancelled()).append(" cancelled, ")
                .append(study.getJobsPending() + study.getJobsRunning()).append(" unfinished of ").append(study.getJobsTotal())
                .append(" &middot; created ").append(Instant.ofEpochSecond(study.getCreatedAt().getSeconds())).append("</p>\n");

        html.append("<h2>Findings</h2>\n<ul>\n");
        report.getFindingsList().forEach(finding -> html.append("<li>").append(escape(finding)).append("</li>\n"));
        html.append("</ul>\n");

        List<ReportGroup> groups = report.getGroupsList();
        List<ReportGroup> average = select(groups, TASK_AVERAGE, "acc");
        if (!average.isEmpty()) {
            section(html, "Task-average accuracy", average, baselines(report, TASK_AVERAGE, "acc"));
        }
        List<ReportGroup> taskAccuracy = groups.stream().filter(g -> g.getMetric().equals("acc") && !g.getTask().equals(TASK_AVERAGE)).toList();
        if (!taskAccuracy.isEmpty()) {
            html.append("<h2>Accuracy per task</h2>\n");
            image(html, ReportCharts.perTaskSpread("Spread across calibration sets per task (accuracy)", taskAccuracy));
            for (String task : taskAccuracy.stream().map(ReportGroup::getTask).distinct().toList()) {
                List<ReportGroup> perTask = select(groups, task, "acc");
                html.append("<h3>").append(escape(task)).append("</h3>\n");
                image(html, ReportCharts.strip(task + " accuracy per calibration set", perTask, baselines(report, task, "acc")));
                statistics(html, perTask);
            }
        }
        for (String text : groups.stream().filter(g -> g.getMetric().equals("perplexity")).map(ReportGroup::getTask).distinct().toList()) {
            section(html, "Perplexity on " + text, select(groups, text, "perplexity"), baselines(report, text, "perplexity"));
        }
        List<ReportGroup> otherMetrics = groups.stream()
                .filter(g -> !g.getMetric().equals("acc") && !g.getMetric().equals("perplexity")).toList();
        if (!otherMetrics.isEmpty()) {
            html.append("<h2>Other metrics</h2>\n");
            statistics(html, otherMetrics);
        }
        baselineTable(html, report.getBaselinesList());
        lineage(html, groups);
        html.append("</body></html>\n");
        return html.toString();
    }

    private static void section(StringBuilder html, String title, List<ReportGroup> groups, List<ReportBaseline> baselines) {
        boolean higherIsBetter = !groups.get(0).getMetric().equals("perplexity");
        html.append("<h2>").append(escape(title)).append("</h2>\n");
        image(html, ReportCharts.strip(title + ": each calibration set's score", groups, baselines));
        image(html, ReportCharts.meanWithSpread(title + ": mean and standard deviation across calibration sets", groups));
        statistics(html, groups);
        ranking(html, groups, higherIsBetter);
    }

    private static void statistics(StringBuilder html, List<ReportGroup> groups) {
        html.append("<table><tr><th class=\"l\">model</th><th class=\"l\">method</th><th class=\"l\">source</th>"
                + "<th class=\"l\">task</th><th class=\"l\">metric</th><th>sets</th><th>mean</th><th>std</th><th>min</th>"
                + "<th>max</th><th>range</th><th>eval stderr</th><th>std / stderr</th><th class=\"l\">values in set order</th></tr>\n");
        for (ReportGroup g : groups) {
            html.append("<tr><td class=\"l\">").append(escape(g.getModel())).append("</td><td class=\"l\">").append(escape(g.getMethod()))
                    .append("</td><td class=\"l\">").append(escape(g.getSource())).append("</td><td class=\"l\">")
                    .append(escape(g.getTask())).append("</td><td class=\"l\">").append(escape(g.getMetric())).append("</td><td>")
                    .append(g.getValuesCount()).append("</td>");
            for (double value : new double[] {g.getMean(), g.getStd(), g.getMin(), g.getMax(), g.getRange(), g.getEvalStderr()}) {
                html.append("<td>").append(number(value)).append("</td>");
            }
            html.append("<td>").append(g.getEvalStderr() > 0 ? String.format(Locale.ROOT, "%.2f", g.getStd() / g.getEvalStderr()) : "&ndash;")
                    .append("</td><td class=\"l\">")
                    .append(g.getValuesList().stream().map(ReportHtml::number).collect(Collectors.joining(", "))).append("</td></tr>\n");
        }
        html.append("</table>\n");
    }

    private static void ranking(StringBuilder html, List<ReportGroup> groups, boolean higherIsBetter) {
        Map<String, List<ReportGroup>> byMethod = groups.stream()
                .collect(Collectors.groupingBy(g -> g.getModel() + " " + g.getMethod(), LinkedHashMap::new, Collectors.toList()));
        html.append("<p>Sources ranked per method (").append(higherIsBetter ? "highest" : "lowest").append(" mean first):</p><table>"
                + "<tr><th class=\"l\">method</th><th class=\"l\">ranking</th></tr>\n");
        byMethod.forEach((method, perMethod) -> html.append("<tr><td class=\"l\">").append(escape(method)).append("</td><td class=\"l\">")
                .append(perMethod.stream().sorted(Comparator.comparingDouble((ReportGroup g) -> higherIsBetter ? -g.getMean() : g.getMean()))
                        .map(g -> escape(g.getSource()) + " (" + number(g.getMean()) + ")").collect(Collectors.joining(" &gt; ")))
                .append("</td></tr>\n"));
        html.append("</table>\n");
    }

    private static void baselineTable(StringBuilder html, List<ReportBaseline> baselines) {
        html.append("<h2>Baselines without calibration data</h2>\n");
        if (baselines.isEmpty()) {
            html.append("<p>The study has no baselines (no dense evaluation, no data-free method).</p>\n");
            return;
        }
        List<ReportBaseline> accuracy = baselines.stream().filter(b -> b.getMetric().equals("acc")).toList();
        if (!accuracy.isEmpty()) {
            image(html, ReportCharts.baselines("Accuracy of the baselines without calibration data", accuracy));
        }
        html.append("<table><tr><th class=\"l\">model</th><th class=\"l\">method</th><th class=\"l\">task</th><th class=\"l\">metric</th>"
                + "<th>value</th><th>stderr</th><th class=\"l\">model id</th><th class=\"l\">evaluate job</th></tr>\n");
        for (ReportBaseline b : baselines) {
            html.append("<tr><td class=\"l\">").append(escape(b.getModel())).append("</td><td class=\"l\">").append(escape(b.getMethod()))
                    .append("</td><td class=\"l\">").append(escape(b.getTask())).append("</td><td class=\"l\">").append(escape(b.getMetric()))
                    .append("</td><td>").append(number(b.getValue())).append("</td><td>").append(number(b.getStderr()))
                    .append("</td><td class=\"l mono\">").append(escape(b.getModelId())).append("</td><td class=\"l mono\">")
                    .append(escape(b.getEvaluateJobId())).append("</td></tr>\n");
        }
        html.append("</table>\n");
    }

    private static void lineage(StringBuilder html, List<ReportGroup> groups) {
        html.append("<h2>Lineage of every number</h2>\n<details open><summary>score &larr; evaluate job &larr; compressed model "
                + "&larr; compress job &larr; calibration set (fingerprint)</summary>\n<table><tr><th class=\"l\">method</th>"
                + "<th class=\"l\">source</th><th>set</th><th class=\"l\">task</th><th class=\"l\">metric</th><th>value</th>"
                + "<th class=\"l\">model id</th><th class=\"l\">calibration set</th><th class=\"l\">fingerprint</th>"
                + "<th class=\"l\">evaluate job</th><th class=\"l\">compress job</th></tr>\n");
        for (ReportGroup g : groups) {
            for (int set = 0; set < g.getValuesCount(); set++) {
                html.append("<tr><td class=\"l\">").append(escape(g.getMethod())).append("</td><td class=\"l\">")
                        .append(escape(g.getSource())).append("</td><td>").append(set).append("</td><td class=\"l\">")
                        .append(escape(g.getTask())).append("</td><td class=\"l\">").append(escape(g.getMetric())).append("</td><td>")
                        .append(number(g.getValues(set))).append("</td>");
                for (List<String> ids : List.of(g.getModelIdsList(), g.getSetIdsList(), g.getFingerprintsList(),
                        g.getEvaluateJobIdsList(), g.getCompressJobIdsList())) {
                    html.append("<td class=\"l mono\">").append(escape(set < ids.size() ? ids.get(set) : "")).append("</td>");
                }
                html.append("</tr>\n");
            }
        }
        html.append("</table></details>\n");
    }

    private static List<ReportGroup> select(List<ReportGroup> groups, String task, String metric) {
        return groups.stream().filter(g -> g.getTask().equals(task) && g.getMetric().equals(metric)).toList();
    }

    private static List<ReportBaseline> baselines(StudyReport report, String task, String metric) {
        return report.getBaselinesList().stream().filter(b -> b.getTask().equals(task) && b.getMetric().equals(metric)).toList();
    }

    private static void image(StringBuilder html, ReportCharts.Chart chart) {
        html.append("<img alt=\"").append(escape(chart.title())).append("\" src=\"data:image/png;base64,")
                .append(chart.pngBase64()).append("\">\n");
    }

    static String number(double value) {
        return Math.abs(value) >= 100 ? String.format(Locale.ROOT, "%.2f", value) : String.format(Locale.ROOT, "%.4f", value);
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}

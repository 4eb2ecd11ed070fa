package dev.calibra.cli.report;

import dev.calibra.proto.v1.ReportBaseline;
import dev.calibra.proto.v1.ReportGroup;
import dev.calibra.proto.v1.StudyReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The report for spreadsheets: one row per score. A group's rows (one per calibration set) repeat the
 * group's statistics; baselines have kind "baseline", no source and set_index -1.
 */
public final class ReportCsv {

    public static final List<String> COLUMNS = List.of("kind", "model", "method", "source", "task", "metric", "set_index",
            "value", "mean", "std", "min", "max", "range", "eval_stderr", "calibration_set_id", "fingerprint", "model_id",
            "evaluate_job_id", "compress_job_id");

    private ReportCsv() {}

    public static String render(StudyReport report) {
        StringBuilder csv = new StringBuilder(String.join(",", COLUMNS)).append('\n');
        for (ReportGroup g : report.getGroupsList()) {
            for (int set = 0; set < g.getValuesCount(); set++) {
                row(csv, List.of("group", g.getModel(), g.getMethod(), g.getSource(), g.getTask(), g.getMetric(),
                        Integer.toString(set), number(g.getValues(set)), number(g.getMean()), number(g.getStd()),
                        number(g.getMin()), number(g.getMax()), number(g.getRange()), number(g.getEvalStderr()),
                        at(g.getSetIdsList(), set), at(g.getFingerprintsList(), set), at(g.getModelIdsList(), set),
                        at(g.getEvaluateJobIdsList(), set), at(g.getCompressJobIdsList(), set)));
            }
        }
        for (ReportBaseline b : report.getBaselinesList()) {
            row(csv, List.of("baseline", b.getModel(), b.getMethod(), "", b.getTask(), b.getMetric(), "-1", number(b.getValue()),
                    number(b.getValue()), "", "", "", "", number(b.getStderr()), "", "", b.getModelId(), b.getEvaluateJobId(), ""));
        }
        return csv.toString();
    }

    private static void row(StringBuilder csv, List<String> cells) {
        List<String> quoted = new ArrayList<>();
        for (String cell : cells) {
            quoted.add(cell.contains(",") || cell.contains("\"") ? "\"" + cell.replace("\"", "\"\"") + "\"" : cell);
        }
        csv.append(String.join(",", quoted)).append('\n');
    }

    private static String at(List<String> values, int index) {
        return index < values.size() ? values.get(index) : "";
    }

    /** Full precision, so a spreadsheet recomputes the statistics exactly. */
    static String number(double value) {
        return Double.toString(value).toLowerCase(Locale.ROOT);
    }
}

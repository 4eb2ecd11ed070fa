package dev.calibra.cli.report;

import dev.calibra.proto.v1.ReportBaseline;
import dev.calibra.proto.v1.ReportGroup;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The report's plots, drawn by XChart and returned as base64 PNG so the HTML page needs no files and
 * no JavaScript: per-set scores as a strip plot grouped by method/source with the baselines as lines,
 * and the spread across sets per task beside the evaluation's own standard error.
 */
public final class ReportCharts {

    private static final int WIDTH = 1100;
    private static final int HEIGHT = 460;

    static {
        // Charts render off screen; no display is needed (or present on a server).
        System.setProperty("java.awt.headless", "true");
    }

    private ReportCharts() {}

    /** A chart, titled, as a base64 PNG. */
    public record Chart(String title, String pngBase64) {}

    /**
     * Each calibration set's score for one (task, metric), one column per model/method/source, one
     * series per set index; baselines (dense, data-free methods) as horizontal lines.
     */
    public static Chart strip(String title, List<ReportGroup> groups, List<ReportBaseline> baselines) {
        List<String> columns = groups.stream().map(ReportCharts::column).toList();
        CategoryChart chart = chart(title, "method / calibration source", groups.get(0).getMetric());
        chart.getStyler().setDefaultSeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Scatter);
        int sets = groups.stream().mapToInt(ReportGroup::getValuesCount).max().orElse(0);
        for (int set = 0; set < sets; set++) {
            List<String> x = new ArrayList<>();
            List<Number> y = new ArrayList<>();
            for (int i = 0; i < groups.size(); i++) {
                if (set < groups.get(i).getValuesCount()) {
                    x.add(columns.get(i));
                    y.add(groups.get(i).getValues(set));
                }
            }
            if (!x.isEmpty()) {
                chart.addSeries("calibration set " + set, x, y);
            }
        }
        for (ReportBaseline baseline : baselines) {
            var series = chart.addSeries(baseline.getMethod() + " (no calibration)", columns,
                    columns.stream().map(c -> (Number) baseline.getValue()).toList());
            series.setChartCategorySeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Line);
            series.setMarker(SeriesMarkers.NONE);
        }
        return encode(title, chart);
    }

    /** Mean +/- standard deviation across sets, one bar per source, grouped by method. */
    public static Chart meanWithSpread(String title, List<ReportGroup> groups) {
        CategoryChart chart = chart(title, "method", groups.get(0).getMetric() + " (mean +/- std across sets)");
        Map<String, List<ReportGroup>> bySource = groups.stream()
                .collect(Collectors.groupingBy(ReportGroup::getSource, LinkedHashMap::new, Collectors.toList()));
        List<String> methods = groups.stream().map(g -> g.getModel() + " " + g.getMethod()).distinct().toList();
        bySource.forEach((source, perSource) -> {
            List<Number> means = new ArrayList<>();
            List<Number> stds = new ArrayList<>();
            for (String method : methods) {
                ReportGroup g = perSource.stream().filter(p -> (p.getModel() + " " + p.getMethod()).equals(method)).findFirst().orElse(null);
                means.add(g == null ? 0 : g.getMean());
                stds.add(g == null ? 0 : g.getStd());
            }
            chart.addSeries(source, methods, means, stds);
        });
        double low = groups.stream().mapToDouble(g -> g.getMean() - g.getStd()).min().orElse(0);
        double high = groups.stream().mapToDouble(g -> g.getMean() + g.getStd()).max().orElse(1);
        chart.getStyler().setYAxisMin(Math.max(0, low - 0.1 * (high - low)));
        return encode(title, chart);
    }

    /** Per task: the standard deviation across calibration sets (mean over sources) per method, and the evaluation's stderr. */
    public static Chart perTaskSpread(String title, List<ReportGroup> groups) {
        CategoryChart chart = chart(title, "task", "std across calibration sets");
        List<String> tasks = groups.stream().map(ReportGroup::getTask).distinct().toList();
        Map<String, List<ReportGroup>> byMethod = groups.stream()
                .collect(Collectors.groupingBy(ReportGroup::getMethod, LinkedHashMap::new, Collectors.toList()));
        byMethod.forEach((method, perMethod) -> chart.addSeries(method, tasks, tasks.stream()
                .map(task -> (Number) perMethod.stream().filter(g -> g.getTask().equals(task)).mapToDouble(ReportGroup::getStd)
                        .average().orElse(0)).toList()));
        chart.addSeries("evaluation stderr", tasks, tasks.stream()
                .map(task -> (Number) groups.stream().filter(g -> g.getTask().equals(task)).mapToDouble(ReportGroup::getEvalStderr)
                        .average().orElse(0)).toList());
        return encode(title, chart);
    }

    /** Baselines' accuracy per task, one bar series per method (dense, data-free methods). */
    public static Chart baselines(String title, List<ReportBaseline> baselines) {
        CategoryChart chart = chart(title, "task", "acc");
        List<String> tasks = baselines.stream().map(ReportBaseline::getTask).distinct().toList();
        Map<String, List<ReportBaseline>> byMethod = baselines.stream()
                .collect(Collectors.groupingBy(ReportBaseline::getMethod, LinkedHashMap::new, Collectors.toList()));
        byMethod.forEach((method, perMethod) -> chart.addSeries(method, tasks, tasks.stream()
                .map(task -> (Number) perMethod.stream().filter(b -> b.getTask().equals(task)).mapToDouble(ReportBaseline::getValue)
                        .findFirst().orElse(0)).toList()));
        return encode(title, chart);
    }

    static String column(ReportGroup group) {
        return group.getMethod() + " / " + group.getSource();
    }

    private static CategoryChart chart(String title, String xTitle, String yTitle) {
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle)
                .yAxisTitle(yTitle).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setXAxisLabelRotation(35);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        chart.getStyler().setMarkerSize(9);
        chart.getStyler().setYAxisDecimalPattern("#,##0.####");
        return chart;
    }

    private static Chart encode(String title, CategoryChart chart) {
        try {
            return new Chart(title, Base64.getEncoder().encodeToString(BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG)));
        } catch (IOException e) {
            throw new UncheckedIOException("could not draw the chart '" + title + "'", e);
        }
    }
}

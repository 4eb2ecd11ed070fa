package dev.calibra.cli.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.calibra.cli.Output;
import dev.calibra.proto.v1.ReportBaseline;
import dev.calibra.proto.v1.ReportGroup;
import dev.calibra.proto.v1.Study;
import dev.calibra.proto.v1.StudyReport;
import dev.calibra.proto.v1.StudyState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportRenderingTest {

    private static ReportGroup group(String method, String source, String task, String metric, double... values) {
        ReportGroup.Builder g = ReportGroup.newBuilder().setModel("stories260K").setMethod(method).setSource(source).setTask(task)
                .setMetric(metric).setEvalStderr(metric.equals("acc") ? 0.05 : 0);
        double sum = 0;
        for (int i = 0; i < values.length; i++) {
            g.addValues(values[i]).addSetIds("cal-" + source + i).addFingerprints("f".repeat(63) + i).addModelIds("mdl-" + method + source + i)
                    .addEvaluateJobIds("job-e" + i).addCompressJobIds("job-c" + i);
            sum += values[i];
        }
        double mean = sum / values.length;
        double squares = 0;
        double min = Double.MAX_VALUE;
        double max = -Double.MAX_VALUE;
        for (double v : values) {
            squares += (v - mean) * (v - mean);
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        return g.setMean(mean).setStd(Math.sqrt(squares / (values.length - 1))).setMin(min).setMax(max).setRange(max - min).build();
    }

    static StudyReport report() {
        return StudyReport.newBuilder()
                .setStudy(Study.newBuilder().setId("std-1").setName("demo <test>").setState(StudyState.STUDY_STATE_FINISHED)
                        .setJobsTotal(20).setJobsSucceeded(20))
                .addGroups(group("gptq-4bit", "c4", "copa", "acc", 0.52, 0.55, 0.61))
                .addGroups(group("gptq-4bit", "wikitext", "copa", "acc", 0.50, 0.51, 0.49))
                .addGroups(group("wanda-50", "c4", "copa", "acc", 0.45, 0.47, 0.40))
                .addGroups(group("gptq-4bit", "c4", "task_average", "acc", 0.40, 0.41, 0.43))
                .addGroups(group("wanda-50", "c4", "task_average", "acc", 0.35, 0.36, 0.31))
                .addGroups(group("gptq-4bit", "c4", "wikitext2", "perplexity", 210.5, 230.25, 199.0))
                .addBaselines(ReportBaseline.newBuilder().setModel("stories260K").setMethod("dense").setTask("copa").setMetric("acc")
                        .setValue(0.6).setStderr(0.05).setModelId("mdl-base"))
                .addFindings("gptq-4bit was the most sensitive method, a < b & c.")
                .build();
    }

    @Test
    void html_isSelfContainedWithPngPlotsAndEscapedText() {
        String html = ReportHtml.render(report());
        Matcher images = Pattern.compile("src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"").matcher(html);
        int count = 0;
        while (images.find()) {
            byte[] png = Base64.getDecoder().decode(images.group(1));
            assertEquals((byte) 0x89, png[0]);
            assertEquals('P', png[1]);
            count++;
        }
        assertTrue(count >= 5, "strip and mean plots per section, per-task plots: " + count);
        assertTrue(!html.contains("<script"), "no JavaScript");
        assertTrue(html.contains("a &lt; b &amp; c."));
        assertTrue(html.contains("demo &lt;test&gt;"));
        assertTrue(html.contains("f".repeat(63) + "2"), "lineage lists fingerprints");
        assertTrue(html.contains("Baselines without calibration data"));
    }

    @Test
    void csv_hasOneRowPerValueAndRecomputesTheStatistics() {
        StudyReport report = report();
        List<String> lines = report().getGroupsList().isEmpty() ? List.of() : ReportCsv.render(report).lines().toList();
        int values = report.getGroupsList().stream().mapToInt(ReportGroup::getValuesCount).sum();
        assertEquals(1 + values + report.getBaselinesCount(), lines.size());
        assertEquals(String.join(",", ReportCsv.COLUMNS), lines.get(0));
        // The first group's three rows: values in set order, and the std recomputes from them.
        List<Double> firstGroup = new ArrayList<>();
        for (String line : lines.subList(1, 4)) {
            String[] cells = line.split(",");
            assertEquals("gptq-4bit", cells[2]);
            firstGroup.add(Double.parseDouble(cells[7]));
            assertEquals(report.getGroups(0).getStd(), Double.parseDouble(cells[9]), 0.0);
        }
        assertEquals(report.getGroups(0).getValuesList(), firstGroup);
    }

    @Test
    void json_keepsTheContractKeysAndTheStatisticsRecomputeFromValues() throws Exception {
        JsonNode json = Output.JSON.readTree(ReportJson.render(report()));
        for (JsonNode group : json.get("groups")) {
            List<Double> values = new ArrayList<>();
            group.get("values").forEach(v -> values.add(v.asDouble()));
            // Plain left-to-right sums, as the registry computes them (DoubleStream.average compensates and can differ in the last bit).
            double sum = 0;
            for (double v : values) {
                sum += v;
            }
            double mean = sum / values.size();
            double squares = 0;
            for (double v : values) {
                squares += (v - mean) * (v - mean);
            }
            assertEquals(Math.sqrt(squares / (values.size() - 1)), group.get("std").asDouble(), 0.0);
            double max = values.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
            double min = values.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
            assertEquals(max - min, group.get("range").asDouble(), 0.0);
            for (String key : List.of("set_ids", "mean", "min", "max", "eval_stderr", "fingerprints", "model_ids")) {
                assertTrue(group.has(key), key);
            }
        }
    }

    @Test
    void files_areWrittenWithAbsolutePaths(@TempDir Path folder) throws Exception {
        ReportFiles.Written written = ReportFiles.write(report(), folder.resolve("std-1"));
        for (Path file : List.of(written.json(), written.html(), written.csv())) {
            assertTrue(file.isAbsolute() && Files.size(file) > 0, file.toString());
        }
        assertTrue(ReportSummary.lines(report()).get(2).startsWith("gptq-4bit"));
    }
}

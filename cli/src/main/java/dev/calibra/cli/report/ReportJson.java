package dev.calibra.cli.report;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.calibra.cli.Output;
import dev.calibra.proto.v1.StudyReport;

/**
 * The report for machines: the StudyReport message as snake_case JSON (DESIGN.md: `groups` with
 * `values`, `set_ids`, `mean`, `std`, `min`, `max`, `range`, `eval_stderr`), numbers at full precision.
 */
public final class ReportJson {

    private ReportJson() {}

    public static ObjectNode tree(StudyReport report) {
        return Output.tree(report);
    }

    public static String render(StudyReport report) {
        try {
            return Output.JSON.writeValueAsString(tree(report)) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}

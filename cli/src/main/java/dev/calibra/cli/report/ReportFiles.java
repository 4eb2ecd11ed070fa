package dev.calibra.cli.report;

import dev.calibra.proto.v1.StudyReport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Writes a report's three renderings into a folder, each through a temporary file and a rename. */
public final class ReportFiles {

    /** Absolute paths of the written files. */
    public record Written(Path json, Path html, Path csv) {}

    private ReportFiles() {}

    public static Written write(StudyReport report, Path folder) throws IOException {
        Path dir = Files.createDirectories(folder.toAbsolutePath().normalize());
        return new Written(write(dir.resolve("report.json"), ReportJson.render(report)),
                write(dir.resolve("report.html"), ReportHtml.render(report)),
                write(dir.resolve("report.csv"), ReportCsv.render(report)));
    }

    /** One rendering by format name: json, html or csv. */
    public static String render(StudyReport report, String format) {
        return switch (format) {
            case "json" -> ReportJson.render(report);
            case "html" -> ReportHtml.render(report);
            case "csv" -> ReportCsv.render(report);
            default -> throw new IllegalArgumentException("--format must be html, json or csv, got '" + format + "'");
        };
    }

    public static Path write(Path file, String content) throws IOException {
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(temporary, content, StandardCharsets.UTF_8);
        return Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}

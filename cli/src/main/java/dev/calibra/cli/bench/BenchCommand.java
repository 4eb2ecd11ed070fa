package dev.calibra.cli.bench;

import dev.calibra.cli.CalibraCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** calibra bench load and study: measurements against a running stack. */
@Command(name = "bench", description = "Measure a running stack.", subcommands = {LoadCommand.class, StudyScaleCommand.class})
public final class BenchCommand {

    @ParentCommand CalibraCommand root;
}

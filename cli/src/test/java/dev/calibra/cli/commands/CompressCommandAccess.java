package dev.calibra.cli.commands;

import dev.calibra.proto.v1.CompressionParameters;
import picocli.CommandLine;

/** Parses compress flags as picocli does and returns the parameters the command would send. */
public final class CompressCommandAccess {

    private CompressCommandAccess() {}

    public static CompressionParameters parameters(String... args) {
        CompressCommand command = new CompressCommand();
        new CommandLine(command).parseArgs(args);
        return command.parameters();
    }
}

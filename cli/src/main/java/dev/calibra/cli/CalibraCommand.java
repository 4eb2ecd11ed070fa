package dev.calibra.cli;

import dev.calibra.cli.commands.AccessCommand;
import dev.calibra.cli.commands.AdminCommand;
import dev.calibra.cli.commands.CalibrateCommand;
import dev.calibra.cli.commands.CalibrationCommand;
import dev.calibra.cli.commands.CompressCommand;
import dev.calibra.cli.commands.CorporaCommand;
import dev.calibra.cli.commands.DemoCommand;
import dev.calibra.cli.commands.EvalCommand;
import dev.calibra.cli.commands.GcCommand;
import dev.calibra.cli.commands.GenerateCommand;
import dev.calibra.cli.commands.JobsCommand;
import dev.calibra.cli.commands.ModelsCommand;
import dev.calibra.cli.commands.StackCommand;
import dev.calibra.cli.commands.StudyCommand;
import dev.calibra.cli.stack.StackConfig;
import dev.calibra.rpc.CalibraException;
import io.grpc.StatusRuntimeException;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The calibra command line: a gRPC client of the suite, plus the local stack launcher. */
@Command(name = "calibra", mixinStandardHelpOptions = true, version = "calibra 0.1.0",
        description = "Compress language models with recorded calibration data, as a service.",
        subcommands = {StackCommand.class, ModelsCommand.class, GenerateCommand.class, CorporaCommand.class,
                CalibrateCommand.class, CalibrationCommand.class, CompressCommand.class, EvalCommand.class, JobsCommand.class,
                StudyCommand.class, DemoCommand.class, AdminCommand.class, AccessCommand.class, GcCommand.class,
                dev.calibra.cli.bench.BenchCommand.class,
                CommandLine.HelpCommand.class})
public final class CalibraCommand {

    @Option(names = "--json", scope = ScopeType.INHERIT,
            description = "Print one JSON object on stdout (the scripting contract) instead of text.")
    boolean json;

    private final Map<String, String> env;

    public CalibraCommand(Map<String, String> env) {
        this.env = env;
    }

    public Output output() {
        return new Output(json, System.out, System.err);
    }

    public StackConfig stackConfig() {
        return StackConfig.fromEnvironment(env);
    }

    public Services services() {
        return new Services(stackConfig(), env);
    }

    public Map<String, String> env() {
        return env;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.getenv()));
    }

    public static int run(String[] args, Map<String, String> env) {
        CalibraCommand root = new CalibraCommand(env);
        CommandLine line = new CommandLine(root);
        line.setExecutionExceptionHandler((error, commandLine, parsed) -> report(root, error));
        // A bad flag value is refused like any bad request: the flag named, nothing sent, the --json error object.
        line.setParameterExceptionHandler((error, parsedArgs) -> {
            root.json |= java.util.Arrays.asList(parsedArgs).contains("--json");
            String message = error.getMessage();
            if (error.getArgSpec() instanceof picocli.CommandLine.Model.OptionSpec option && option.names().length > 1) {
                // picocli names an option by its longest name; say every name, so "-n 0" finds "-n".
                message = message.replace("'" + option.longestName() + "'", "'" + String.join("', '", option.names()) + "'");
            }
            int status = report(root, CalibraException.invalidArgument(message));
            root.output().note("usage: " + error.getCommandLine().getCommandSpec().qualifiedName() + " --help");
            return status;
        });
        return line.execute(args);
    }

    /** Errors: one sentence on stderr, and with --json an {"error": ...} object on stdout; exit 1. */
    private static int report(CalibraCommand root, Exception error) {
        Output output = root.output();
        String code;
        String message;
        if (error instanceof StatusRuntimeException status) {
            code = status.getStatus().getCode().name();
            message = status.getStatus().getDescription() != null ? status.getStatus().getDescription() : code;
            if (status.getStatus().getCode() == io.grpc.Status.Code.UNAVAILABLE) {
                message = "a Calibra service is not reachable (" + message + "); is the stack up? Try ./calibra stack up";
            } else if (status.getStatus().getCode() == io.grpc.Status.Code.UNAUTHENTICATED) {
                message = message + " (set CALIBRA_API_KEY to a key of your team; the local stack's admin key is in "
                        + root.stackConfig().stateDir().resolve("keys/admin.key") + ")";
            }
        } else if (error instanceof CalibraException calibra) {
            code = calibra.kind().name();
            message = calibra.getMessage();
        } else {
            code = "ERROR";
            message = error.getMessage() != null ? error.getMessage() : error.toString();
        }
        output.note("error: " + message);
        var json = output.object();
        json.putObject("error").put("code", code).put("message", message);
        output.emit(json);
        return 1;
    }
}

package dev.calibra.cli.commands;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.calibra.cli.CalibraCommand;
import dev.calibra.cli.Output;
import dev.calibra.cli.stack.Stack;
import dev.calibra.cli.stack.StackState;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** calibra stack up|down|status: the local suite as separate processes on loopback ports. */
@Command(name = "stack", description = "Start, stop and inspect the local stack.",
        subcommands = {StackCommand.Up.class, StackCommand.Down.class, StackCommand.Status.class})
public final class StackCommand {

    @ParentCommand CalibraCommand root;

    static Stack stack(CalibraCommand root, Output output) {
        return new Stack(root.stackConfig(), output::note);
    }

    /** Prints NAME HOST:PORT lines, or the JSON contract's services + state_dir. */
    static ObjectNode describe(Output output, Stack stack, StackState state, Map<String, Boolean> health) {
        ObjectNode json = output.object();
        ObjectNode services = json.putObject("services");
        state.addresses().forEach(services::put);
        json.put("state_dir", stack.config().stateDir().toString());
        ObjectNode pids = json.putObject("pids");
        state.services().forEach((name, endpoint) -> pids.put(name, endpoint.pid()));
        ObjectNode db = json.putObject("database");
        db.put("url", state.database().url()).put("embedded", state.database().embedded()).put("pid", state.database().pid());
        if (health != null) {
            ObjectNode healthy = json.putObject("healthy");
            health.forEach(healthy::put);
        }
        state.addresses().forEach((name, address) -> output.line(name + " " + address
                + (health != null && !health.get(name) ? " DOWN" : "")));
        return json;
    }

    @Command(name = "up", description = "Start PostgreSQL and the four services; changes nothing when they already run.")
    static final class Up implements Callable<Integer> {
        @ParentCommand StackCommand parent;

        @Override
        public Integer call() throws Exception {
            Output output = parent.root.output();
            Stack stack = stack(parent.root, output);
            StackState state = stack.up();
            output.emit(describe(output, stack, state, null));
            return 0;
        }
    }

    @Command(name = "down", description = "Stop the services and the embedded PostgreSQL (data is kept).")
    static final class Down implements Callable<Integer> {
        @ParentCommand StackCommand parent;

        @Override
        public Integer call() throws Exception {
            Output output = parent.root.output();
            List<String> stopped = stack(parent.root, output).down();
            output.line(stopped.isEmpty() ? "nothing was running" : "stopped " + String.join(", ", stopped));
            ObjectNode json = output.object();
            stopped.forEach(json.putArray("stopped")::add);
            json.put("state_dir", parent.root.stackConfig().stateDir().toString());
            output.emit(json);
            return 0;
        }
    }

    @Command(name = "status", description = "Show where the services listen and whether they are healthy.")
    static final class Status implements Callable<Integer> {
        @ParentCommand StackCommand parent;

        @Override
        public Integer call() {
            Output output = parent.root.output();
            Stack stack = stack(parent.root, output);
            StackState state = stack.state().orElse(null);
            if (state == null) {
                output.line("the stack is not running (" + stack.config().stateDir() + ")");
                ObjectNode json = output.object();
                json.putObject("services");
                json.put("state_dir", stack.config().stateDir().toString());
                json.put("running", false);
                output.emit(json);
                return 3;
            }
            Map<String, Boolean> health = stack.health(state);
            ObjectNode json = describe(output, stack, state, health);
            boolean allUp = health.values().stream().allMatch(Boolean::booleanValue);
            json.put("running", allUp);
            output.emit(json);
            return allUp ? 0 : 3;
        }
    }
}

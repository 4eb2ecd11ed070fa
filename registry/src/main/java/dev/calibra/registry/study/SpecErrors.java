package dev.calibra.registry.study;

import dev.calibra.rpc.CalibraException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything wrong with a study spec, each naming its YAML path ("methods[2].bits") and, when the
 * spec came as YAML, its line. All problems are reported at once so a user fixes the file in one go.
 */
final class SpecErrors {

    private final List<String> problems = new ArrayList<>();
    private final Map<String, Integer> lines = new HashMap<>();

    void line(String path, int line) {
        lines.putIfAbsent(path, line);
    }

    void add(String path, String problem) {
        Integer line = lines.get(path);
        problems.add(path + " " + problem + (line == null ? "" : " (line " + line + ")"));
    }

    boolean isEmpty() {
        return problems.isEmpty();
    }

    List<String> problems() {
        return List.copyOf(problems);
    }

    /** Refuses the spec with every problem found, before anything is created. */
    void throwIfAny() {
        if (!problems.isEmpty()) {
            throw CalibraException.invalidArgument("the study spec has " + problems.size() + " problem"
                    + (problems.size() == 1 ? "" : "s") + ": " + String.join("; ", problems));
        }
    }
}

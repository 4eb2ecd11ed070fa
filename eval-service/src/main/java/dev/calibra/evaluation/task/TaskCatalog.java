package dev.calibra.evaluation.task;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The known tasks, declared as data in the tasks.json resource (one object per task). */
public final class TaskCatalog {

    public static final String RESOURCE = "/dev/calibra/evaluation/tasks.json";

    private final Map<String, TaskSpec> tasks;

    private TaskCatalog(Map<String, TaskSpec> tasks) {
        this.tasks = tasks;
    }

    /** The catalog shipped with the service. */
    public static TaskCatalog builtIn() {
        try (InputStream in = TaskCatalog.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + RESOURCE + " is missing");
            }
            return parse(new ObjectMapper().readTree(in), RESOURCE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses a JSON array of task specs; a bad entry is refused naming its index and field. */
    public static TaskCatalog parse(JsonNode array, String source) {
        if (array == null || !array.isArray()) {
            throw new IllegalArgumentException(source + ": expected a JSON array of tasks");
        }
        Map<String, TaskSpec> tasks = new LinkedHashMap<>();
        for (int i = 0; i < array.size(); i++) {
            JsonNode entry = array.get(i);
            String where = source + " entry " + i;
            List<String> choices = new ArrayList<>();
            entry.path("choices").forEach(choice -> choices.add(choice.asText()));
            TaskSpec spec;
            try {
                spec = new TaskSpec(text(entry, "name"), TaskKind.parse(text(entry, "kind")), text(entry, "file"),
                        text(entry, "template"), text(entry, "target_delimiter"), text(entry, "strip_prefix"), choices);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
            }
            if (tasks.putIfAbsent(spec.name(), spec) != null) {
                throw new IllegalArgumentException(where + ": task name '" + spec.name() + "' is declared twice");
            }
        }
        return new TaskCatalog(tasks);
    }

    private static String text(JsonNode entry, String field) {
        JsonNode value = entry.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    public List<TaskSpec> all() {
        return List.copyOf(tasks.values());
    }

    public TaskSpec get(String name) {
        TaskSpec spec = tasks.get(name);
        if (spec == null) {
            throw new IllegalArgumentException("tasks: unknown task '" + name + "'; known: " + String.join(", ", tasks.keySet()));
        }
        return spec;
    }
}

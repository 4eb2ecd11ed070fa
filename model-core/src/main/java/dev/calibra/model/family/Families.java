package dev.calibra.model.family;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/** Every family Calibra runs, found by the architecture name in config.json. */
public final class Families {

    public static final List<ModelFamily> ALL = List.of(new LlamaFamily(), new Qwen3Family(), new Gemma2Family(),
            new Gemma3Family(), new Phi3Family(), new OptFamily());

    private Families() {}

    public static Optional<ModelFamily> forArchitecture(String architecture) {
        return ALL.stream().filter(family -> family.architectures().contains(architecture)).findFirst();
    }

    public static String supportedArchitectures() {
        return ALL.stream().flatMap(family -> family.architectures().stream()).collect(Collectors.joining(", "));
    }
}

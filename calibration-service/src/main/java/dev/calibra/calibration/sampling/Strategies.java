package dev.calibra.calibration.sampling;

import java.util.List;

/** The sampling strategies by name. */
public final class Strategies {

    public static final List<String> NAMES = List.of("random_window", "concat_window", "disjoint_sets", "mixture",
            "self_generated", "random_tokens", "chat");

    private Strategies() {}

    public static Strategy of(String name) {
        return switch (name) {
            case "random_window" -> new RandomWindowStrategy();
            case "concat_window" -> new ConcatWindowStrategy();
            case "disjoint_sets" -> new DisjointSetsStrategy();
            case "mixture" -> new MixtureStrategy();
            case "self_generated" -> new SelfGeneratedStrategy();
            case "random_tokens" -> new RandomTokensStrategy();
            case "chat" -> new ChatStrategy();
            default -> throw new IllegalArgumentException("strategy '" + name + "' is unknown; known strategies: "
                    + String.join(", ", NAMES));
        };
    }

    public static List<Strategy> all() {
        return NAMES.stream().map(Strategies::of).toList();
    }
}

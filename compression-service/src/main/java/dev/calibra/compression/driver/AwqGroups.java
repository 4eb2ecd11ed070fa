package dev.calibra.compression.driver;

import dev.calibra.model.CausalLm.Sublayer;
import dev.calibra.model.decoder.DecoderSpec;
import dev.calibra.model.decoder.DecoderSpec.Activation;
import dev.calibra.model.decoder.DecoderSpec.Layout;
import dev.calibra.model.decoder.LinearSpec;
import dev.calibra.model.decoder.LinearSpec.Role;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * AWQ's scaling groups of a block, read from the family's description (llm-awq auto_scale.py's per-model lists,
 * made generic): the linears that one module feeds (a norm: q/k/v, gate/up; a linear: o after v, down after up)
 * share one scale vector, and that module absorbs its inverse. A group is scaled only where the algebra allows it:
 * the module's output must reach the linears unchanged but for per-channel factors.
 */
public final class AwqGroups {

    private AwqGroups() {}

    /**
     * One scaling group.
     *
     * @param precededBy  the module feeding the linears (a norm name or a linear's module path)
     * @param linears     the group's linears, in execution order
     * @param previous    the linear before them, when a linear feeds them; its last {@code inFeatures} rows absorb 1/s
     * @param inspected   the sublayer whose output weighs a candidate (a norm's group: llm-awq's module2inspect =
     *                    self_attn or mlp); empty: the group's own linears' outputs
     * @param skipped     why the group is not scaled, or null when it is
     */
    public record Group(String precededBy, List<LinearSpec> linears, Optional<LinearSpec> previous, Optional<Sublayer> inspected,
            String skipped) {

        public boolean scaled() {
            return skipped == null;
        }

        public int width() {
            return linears.get(0).inFeatures();
        }
    }

    public static List<Group> of(DecoderSpec spec) {
        Map<String, List<LinearSpec>> byFeeder = new LinkedHashMap<>();
        for (LinearSpec linear : spec.linears()) {
            byFeeder.computeIfAbsent(linear.precededBy(), feeder -> new ArrayList<>()).add(linear);
        }
        List<Group> groups = new ArrayList<>();
        for (Map.Entry<String, List<LinearSpec>> entry : byFeeder.entrySet()) {
            groups.add(group(spec, entry.getKey(), List.copyOf(entry.getValue())));
        }
        return groups;
    }

    private static Group group(DecoderSpec spec, String feeder, List<LinearSpec> linears) {
        Optional<LinearSpec> previous = spec.linears().stream().filter(linear -> linear.module().equals(feeder)).findFirst();
        if (previous.isEmpty()) {
            Sublayer inspected = feeder.equals(spec.names().attentionNorm()) ? Sublayer.ATTENTION
                    : feeder.equals(spec.names().mlpNorm()) ? Sublayer.MLP : null;
            String skipped = inspected == null ? feeder + " is neither a linear nor a block's input norm"
                    : spec.layout() == Layout.POST_NORM ? "post-norm block: " + feeder + " follows its sublayer, nothing before "
                            + linears.get(0).module() + " can absorb the scales"
                    : null;
            return new Group(feeder, linears, Optional.empty(), Optional.ofNullable(inspected), skipped);
        }
        LinearSpec before = previous.get();
        int width = linears.get(0).inFeatures();
        int fed = fedWidth(spec, before);
        String skipped = null;
        if (fed != width) {
            skipped = before.module() + " gives " + fed + " channels to " + linears.get(0).module() + ", which reads " + width
                    + (before.role() == Role.VALUE || before.role() == Role.FUSED_QKV ? " (grouped-query attention)" : "");
        } else if ((before.role() == Role.UP) && !spec.mlp().gated() && spec.mlp().activation() != Activation.RELU) {
            skipped = "the " + spec.mlp().activation().name().toLowerCase(java.util.Locale.ROOT) + " between " + before.module()
                    + " and " + linears.get(0).module() + " does not commute with per-channel scales";
        }
        return new Group(feeder, linears, previous, Optional.empty(), skipped);
    }

    /**
     * The channels of {@code linear}'s output that pass per channel to the next linear: v of a fused qkv, up of a fused
     * gate_up (the last rows in both), else all of them.
     */
    static int fedWidth(DecoderSpec spec, LinearSpec linear) {
        return switch (linear.role()) {
            case FUSED_QKV -> spec.dims().kvHeads() * spec.dims().headDim();
            case FUSED_GATE_UP -> linear.outFeatures() / 2;
            default -> linear.outFeatures();
        };
    }

    /** Linears the clip search leaves alone: q and k meet in q k^T, where clipping is hard to judge (auto_clip_block). */
    public static boolean clipped(LinearSpec linear) {
        return linear.role() != Role.QUERY && linear.role() != Role.KEY && linear.role() != Role.FUSED_QKV;
    }
}

package dev.calibra.model.family;

import dev.calibra.model.ModelFormatException;
import dev.calibra.model.config.ConfigFields;
import dev.calibra.model.decoder.DecoderSpec;
import java.util.List;

/**
 * One model family as transformers defines it: the architectures it covers and how their config.json
 * becomes a {@link DecoderSpec} (norms, attention features, positions, MLP, tensor names, the linears to
 * compress and what feeds them). The forward pass, the compression driver and the writers read only the
 * spec, so a new family is one class here and its tests.
 */
public sealed interface ModelFamily permits LlamaFamily, Qwen3Family, Gemma2Family, Gemma3Family, Phi3Family, OptFamily {

    /** Short name, e.g. "llama", "gemma2". */
    String name();

    /** HF {@code architectures} names this family runs. */
    List<String> architectures();

    /**
     * The decoder the config describes. Every field that changes the arithmetic is either implemented or
     * refused with {@link ConfigFields#refuse} naming it; nothing that changes the numbers is ignored.
     */
    DecoderSpec read(String architecture, ConfigFields config) throws ModelFormatException;

    /** Tensor-name prefixes some checkpoints of the family use instead of the one transformers saves. */
    default List<String> alternativePrefixes() {
        return List.of();
    }
}

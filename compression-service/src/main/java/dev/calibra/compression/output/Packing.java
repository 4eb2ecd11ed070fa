package dev.calibra.compression.output;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.calibra.compression.driver.LayerResult;
import dev.calibra.compression.method.CompressedLayer;
import dev.calibra.model.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * How a method's quantized linears are stored: which are packed and as what tensors, what the dense ones hold,
 * which other tensors change (AWQ folds its scales into the norms), and the config.json entry. {@link #DENSE}
 * stores every linear's weight as float32 and changes nothing else.
 */
interface Packing {

    Packing DENSE = new Packing() {};

    /** Linears (names inside a block: "q_proj") stored packed, in every block. */
    default Set<String> packed() {
        return Set.of();
    }

    /** The packed tensors of one linear, in place of {@code module + ".weight"}, made while the file is written. */
    default void addPacked(SafetensorsWriter tensors, String module, LayerResult result, ReleasedLayers layers) {
        throw new UnsupportedOperationException("nothing is packed");
    }

    /** What a linear stored dense holds: its weight, or the form the packed ones' neighbours expect. */
    default float[] dense(CompressedLayer layer) {
        return layer.weight();
    }

    /** The float32 values replacing a non-linear tensor of the base checkpoint, or null to copy it as it is. */
    default float[] replaced(String tensor) throws IOException {
        return null;
    }

    /**
     * Adds the quantization_config (only when something is packed) and the files its loaders read beside it;
     * {@code blocksPrefix} ("model.layers.") names the blocks for the loaders' module patterns.
     */
    default void writeConfig(ObjectNode config, Path folder, List<String> packedModules, List<String> denseModules,
            String blocksPrefix) throws IOException {}

    /** The registry's dtype of the folder. */
    default String dtype() {
        return "float32";
    }
}

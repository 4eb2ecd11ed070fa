package dev.calibra.calibration.sampling;

import dev.calibra.model.CausalLm;
import dev.calibra.model.chat.ChatTemplate;
import java.io.IOException;

/** The model of a sampling request, loaded only when a strategy or statistic needs its weights. */
@FunctionalInterface
public interface ModelAccess {
    CausalLm model();

    /** A chat template ("model" for the model's own, or a built-in name) rendered with the model's special tokens. */
    default ChatTemplate chatTemplate(String name) throws IOException {
        throw new IllegalArgumentException("this model source has no tokenizer files to render chat templates with");
    }
}

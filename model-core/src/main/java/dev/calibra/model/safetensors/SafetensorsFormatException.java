package dev.calibra.model.safetensors;

import dev.calibra.model.ModelFormatException;

/** A safetensors file whose header or data section lies; the message names the tensor and byte offset. */
public final class SafetensorsFormatException extends ModelFormatException {

    public SafetensorsFormatException(String message) {
        super(message);
    }

    public SafetensorsFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}

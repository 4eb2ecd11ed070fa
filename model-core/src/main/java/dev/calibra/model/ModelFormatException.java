package dev.calibra.model;

import java.io.IOException;

/**
 * A model file or folder that is malformed or incomplete (a service answers INVALID_ARGUMENT). The
 * message names the file, and where it applies the tensor and the byte offset.
 */
public class ModelFormatException extends IOException {

    public ModelFormatException(String message) {
        super(message);
    }

    public ModelFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}

package dev.calibra.model;

/**
 * Parts that are each well formed but do not fit together, for example a tokenizer whose vocabulary
 * does not match the model's embedding (a service answers FAILED_PRECONDITION).
 */
public class ModelPreconditionException extends RuntimeException {

    public ModelPreconditionException(String message) {
        super(message);
    }
}

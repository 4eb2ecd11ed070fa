package dev.calibra.calibration.corpus;

/** A corpus file that cannot be read as documents; the message names the file and line. */
public final class CorpusFormatException extends IllegalArgumentException {
    public CorpusFormatException(String message) {
        super(message);
    }
}

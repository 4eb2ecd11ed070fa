package dev.calibra.calibration.corpus;

import java.io.IOException;

/** Receives a corpus's documents in order; return false to stop reading early. */
@FunctionalInterface
public interface DocumentVisitor {
    boolean visit(long documentIndex, String text) throws IOException;
}

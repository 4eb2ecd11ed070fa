package dev.calibra.compression.method;

import java.util.stream.IntStream;

/** Runs a body over disjoint row ranges on the common fork-join pool (rows of W evolve independently). */
final class RowParallel {

    interface RowRange {
        void run(int fromRow, int toRow);
    }

    private static final int WORKERS = Runtime.getRuntime().availableProcessors();

    private RowParallel() {
    }

    static void forEachRowRange(int rows, RowRange body) {
        int chunks = Math.min(rows, 4 * WORKERS);
        if (chunks <= 1 || rows < 32) {
            body.run(0, rows);
            return;
        }
        IntStream.range(0, chunks).parallel().forEach(c -> body.run(
                (int) ((long) rows * c / chunks), (int) ((long) rows * (c + 1) / chunks)));
    }
}

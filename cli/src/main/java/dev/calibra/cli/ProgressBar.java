package dev.calibra.cli;

import java.io.PrintStream;

/** A one-line progress bar on stderr, redrawn in place; silent when stderr is not a terminal-like stream. */
public final class ProgressBar {

    private static final int WIDTH = 30;

    private final PrintStream err;
    private final String label;
    private final long startNanos = System.nanoTime();
    private String last = "";

    public ProgressBar(PrintStream err, String label) {
        this.err = err;
        this.label = label;
    }

    public void update(double fraction, String message) {
        double clamped = Math.max(0, Math.min(1, fraction));
        int filled = (int) Math.round(clamped * WIDTH);
        String line = String.format("\r%s [%s%s] %3.0f%% %5.1fs %s", label, "#".repeat(filled), ".".repeat(WIDTH - filled),
                clamped * 100, (System.nanoTime() - startNanos) / 1e9, message);
        if (!line.equals(last)) {
            err.print(line + " ".repeat(Math.max(0, last.length() - line.length())));
            err.flush();
            last = line;
        }
    }

    public void finish(String message) {
        update(1, message);
        err.println();
    }

    /** Ends the bar's line without completing it (the work failed), so an error prints on a line of its own. */
    public void abandon() {
        if (!last.isEmpty()) {
            err.println();
        }
    }
}

package dev.calibra.hub;

import dev.calibra.hub.HubException.Kind;
import java.time.Duration;

/** The retry policy: {@value #MAX_ATTEMPTS} attempts, waiting a little longer before each new one. */
final class Backoff {

    static final int MAX_ATTEMPTS = 3;

    private final Duration firstWait;

    Backoff(Duration firstWait) {
        this.firstWait = firstWait;
    }

    /** Waits before attempt {@code attempt + 1}: firstWait, then twice that. */
    void beforeRetry(int attempt) throws HubException {
        try {
            Thread.sleep(firstWait.toMillis() << (attempt - 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HubException(Kind.UNAVAILABLE, "interrupted while waiting to retry", e);
        }
    }
}

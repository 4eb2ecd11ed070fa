package dev.calibra.registry.support;

import com.google.protobuf.Timestamp;
import java.time.Instant;

/** Instants to and from protobuf Timestamps. */
public final class Times {

    private Times() {}

    /** Now, at the database's microsecond precision, so a written row reads back equal. */
    public static Instant now() {
        return Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
    }

    public static Timestamp of(Instant instant) {
        if (instant == null) {
            return Timestamp.getDefaultInstance();
        }
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }
}

package dev.calibra.calibration.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.calibra.rpc.CalibraException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;

class CalibrationWorkerTest {

    @Test
    void asFinal_registryRefusal_failsTheJobForGoodWithItsSentence() {
        RuntimeException error = CalibrationWorker.asFinal(
                Status.NOT_FOUND.withDescription("corpus cor-x is not registered").asRuntimeException());
        CalibraException calibra = (CalibraException) error;
        assertEquals(CalibraException.Kind.NOT_FOUND, calibra.kind());
        assertEquals("corpus cor-x is not registered", calibra.getMessage());
    }

    @Test
    void asFinal_registryUnavailable_staysRetryable() {
        StatusRuntimeException unavailable = Status.UNAVAILABLE.asRuntimeException();
        assertSame(unavailable, CalibrationWorker.asFinal(unavailable));
    }
}

package dev.calibra.runtime.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.calibra.rpc.CalibraException;
import dev.calibra.runtime.worker.Failures.Failure;
import io.grpc.Status;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** Every worker service's rule for a failed job: its recorded sentence and whether it is queued again. */
class FailuresTest {

    @Test
    void classify_error_isFinal_andNamed() {
        assertEquals(new Failure("OutOfMemoryError: Java heap space", false),
                Failures.classify(new OutOfMemoryError("Java heap space"), false));
        assertEquals(new Failure("StackOverflowError", false), Failures.classify(new StackOverflowError(), false));
    }

    @Test
    void classify_badInput_isFinal_withItsCode() {
        assertEquals(new Failure("[INVALID_ARGUMENT] tasks: 'nope' is not a task", false),
                Failures.classify(CalibraException.invalidArgument("tasks: 'nope' is not a task"), false));
        assertEquals(new Failure("[NOT_FOUND] model mdl-x is not registered", false),
                Failures.classify(CalibraException.notFound("model mdl-x is not registered"), false));
        assertEquals(new Failure("[INVALID_ARGUMENT] bits must be 2..8", false),
                Failures.classify(new IllegalArgumentException("bits must be 2..8"), false));
    }

    @Test
    void classify_alreadyCodedSentence_isNotCodedTwice() {
        assertEquals(new Failure("[INVALID_ARGUMENT] bits must be 2..8", false),
                Failures.classify(CalibraException.invalidArgument("[INVALID_ARGUMENT] bits must be 2..8"), false));
    }

    @Test
    void classify_unavailable_isRetried() {
        assertEquals(new Failure("[UNAVAILABLE] the store is away", true),
                Failures.classify(new CalibraException(CalibraException.Kind.UNAVAILABLE, "the store is away"), false));
    }

    @Test
    void classify_registryRefusal_isFinal_otherRegistryAnswersAreRetried() {
        for (Status.Code code : new Status.Code[] {Status.Code.INVALID_ARGUMENT, Status.Code.NOT_FOUND,
                Status.Code.FAILED_PRECONDITION, Status.Code.ALREADY_EXISTS, Status.Code.PERMISSION_DENIED}) {
            assertEquals(new Failure("[" + code + "] corpus cor-x is not registered", false),
                    Failures.classify(Status.fromCode(code).withDescription("corpus cor-x is not registered").asRuntimeException(), false));
        }
        assertEquals(new Failure("[UNAVAILABLE] io exception", true),
                Failures.classify(Status.UNAVAILABLE.withDescription("io exception").asRuntimeException(), false));
        assertEquals(new Failure("[DEADLINE_EXCEEDED] the registry answered DEADLINE_EXCEEDED", true),
                Failures.classify(Status.DEADLINE_EXCEEDED.asRuntimeException(), false));
    }

    @Test
    void classify_otherTrouble_isRetried_withItsMessage() {
        assertEquals(new Failure("No space left on device", true), Failures.classify(new IOException("No space left on device"), false));
        assertEquals(new Failure("NullPointerException", true), Failures.classify(new NullPointerException(), false));
    }

    @Test
    void classify_whileClosing_everythingIsRetried() {
        assertEquals(new Failure("the worker stopped while the job ran: [INVALID_ARGUMENT] model.safetensors: could not read the header", true),
                Failures.classify(CalibraException.invalidArgument("model.safetensors: could not read the header"), true));
        assertEquals(new Failure("the worker stopped while the job ran: OutOfMemoryError", true),
                Failures.classify(new OutOfMemoryError(), true));
    }
}

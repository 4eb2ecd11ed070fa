package dev.calibra.runtime.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.calibra.rpc.CalibraException;
import io.grpc.Context;
import org.junit.jupiter.api.Test;

class DirectCallTest {

    @Test
    void checkStop_afterTheCallerCancels_throwsCancelled() throws Exception {
        Context.CancellableContext call = Context.current().withCancellation();
        DirectCall direct = call.call(DirectCall::current);
        direct.checkStop();
        call.cancel(null);
        CalibraException stopped = assertThrows(CalibraException.class, direct::checkStop);
        assertEquals(CalibraException.Kind.CANCELLED, stopped.kind());
    }
}

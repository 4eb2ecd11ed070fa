package dev.calibra.runtime.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.calibra.rpc.CalibraException;
import dev.calibra.rpc.auth.CallerCredentials;
import org.junit.jupiter.api.Test;

class DirectCallSlotsTest {

    @Test
    void aTeamRunsAtMostItsShareOfDirectCalls_otherTeamsAreNotHeldUp() throws Exception {
        DirectCallSlots slots = new DirectCallSlots(2);
        CallerCredentials.actingFor("alpha").call(() -> {
            DirectCallSlots.Slot first = slots.acquire("Compress");
            DirectCallSlots.Slot second = slots.acquire("Evaluate");
            CalibraException full = assertThrows(CalibraException.class, () -> slots.acquire("Compress"));
            assertEquals(CalibraException.Kind.RESOURCE_EXHAUSTED, full.kind());
            assertTrue(full.getMessage().startsWith("team alpha already runs 2 direct calls"), full.getMessage());
            CallerCredentials.actingFor("beta").call(() -> {
                slots.acquire("Compress").close();
                return null;
            });
            first.close();
            slots.acquire("Compress").close();
            second.close();
            return null;
        });
    }
}

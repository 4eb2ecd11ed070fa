package dev.calibra.rpc.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.Context;
import org.junit.jupiter.api.Test;

class CallerCredentialsTest {

    @Test
    void currentTeam_noCaller_isEmpty() {
        assertEquals("", CallerCredentials.currentTeam());
    }

    @Test
    void currentTeam_verifiedCaller_isTheKeysTeam() throws Exception {
        Context caller = CallerCredentials.forwardingContext("secret", "team-a");
        assertEquals("team-a", caller.call(CallerCredentials::currentTeam));
        assertEquals("secret", caller.call(CallerCredentials::forwardedKey));
    }

    @Test
    void currentTeam_jobActingForTeam_winsOverTheCaller() throws Exception {
        Context caller = CallerCredentials.forwardingContext("secret", "team-a");
        String team = caller.call(() -> CallerCredentials.actingFor("team-b").call(CallerCredentials::currentTeam));
        assertEquals("team-b", team);
    }
}

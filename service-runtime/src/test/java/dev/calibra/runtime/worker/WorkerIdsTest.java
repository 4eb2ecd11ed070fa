package dev.calibra.runtime.worker;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class WorkerIdsTest {

    @Test
    void of_namesServiceHostPid_andDiffersPerProcessStart() {
        String id = WorkerIds.of("eval-service");
        assertTrue(id.matches("eval-service@.+:" + ProcessHandle.current().pid() + "-[0-9a-f]{8}"), id);
        // two containers share pid 1 (and may share a host name): the random part keeps their ids apart
        assertNotEquals(id, WorkerIds.of("eval-service"));
    }
}

package dev.calibra.runtime.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TorchThreadsTest {

    @AfterEach
    void clear() {
        System.clearProperty(TorchThreads.PROPERTY);
    }

    @Test
    void aPositiveCount_isWhatDjlReadsWhenPyTorchStarts() {
        new TorchThreads(1).apply(null);
        assertEquals("1", System.getProperty(TorchThreads.PROPERTY));
    }

    @Test
    void zero_leavesLibtorchsDefault() {
        new TorchThreads(0).apply(null);
        assertNull(System.getProperty(TorchThreads.PROPERTY));
    }

    @Test
    void aNegativeCount_isRefusedNamingTheSetting() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> new TorchThreads(-2));
        assertTrue(refused.getMessage().contains("CALIBRA_TORCH_THREADS"), refused.getMessage());
    }
}

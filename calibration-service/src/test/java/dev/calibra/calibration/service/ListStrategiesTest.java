package dev.calibra.calibration.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.calibra.calibration.sampling.Strategies;
import dev.calibra.proto.v1.ListStrategiesResponse;
import dev.calibra.proto.v1.ParameterInfo;
import dev.calibra.proto.v1.Strategy;
import org.junit.jupiter.api.Test;

class ListStrategiesTest {

    @Test
    void strategies_listEveryStrategyWithVersionAndDefaults() {
        ListStrategiesResponse response = new CalibrationService(null, null, null).strategies();
        assertEquals(Strategies.NAMES, response.getStrategiesList().stream().map(Strategy::getName).toList());
        for (Strategy strategy : response.getStrategiesList()) {
            assertFalse(strategy.getVersion().isEmpty(), strategy.getName());
            assertTrue(strategy.getParametersList().stream().anyMatch(p -> p.getName().equals("drop_anomalous")));
        }
        Strategy selfGenerated = response.getStrategies(Strategies.NAMES.indexOf("self_generated"));
        // Ji et al. 2024 defaults
        assertEquals("0.6", defaultOf(selfGenerated, "temperature"));
        assertEquals("50", defaultOf(selfGenerated, "top_k"));
        assertEquals("0.95", defaultOf(selfGenerated, "top_p"));
        assertEquals("1.2", defaultOf(selfGenerated, "repetition_penalty"));
        assertEquals("2", defaultOf(selfGenerated, "prefix_tokens"));
        assertEquals("0.2", defaultOf(selfGenerated, "drop_highest_perplexity"));
    }

    private static String defaultOf(Strategy strategy, String parameter) {
        return strategy.getParametersList().stream().filter(p -> p.getName().equals(parameter)).findFirst()
                .map(ParameterInfo::getDefaultValue).orElseThrow();
    }
}

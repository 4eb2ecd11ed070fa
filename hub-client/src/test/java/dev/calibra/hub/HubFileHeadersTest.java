package dev.calibra.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HubFileHeadersTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"\"abc123\"", "W/\"abc123\"", "abc123", " \"ABC123\" "})
    void normalizeEtag_quotesAndWeakPrefix_areDropped(String header) {
        assertEquals("abc123", HubFileHeaders.normalizeEtag(header));
    }
}

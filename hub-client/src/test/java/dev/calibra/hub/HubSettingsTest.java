package dev.calibra.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HubSettingsTest {

    private static final Path DEFAULT_CACHE = Path.of("/default/cache");

    @Test
    void fromEnvironment_empty_usesHuggingFaceDefaults() {
        HubSettings settings = HubSettings.fromEnvironment(Map.of(), DEFAULT_CACHE);
        assertEquals(URI.create("https://huggingface.co"), settings.endpoint());
        assertEquals("", settings.token());
        assertFalse(settings.hasToken());
        assertEquals(DEFAULT_CACHE, settings.cacheDir());
        assertFalse(settings.offline());
    }

    @Test
    void fromEnvironment_cacheFolder_followsPrecedence() {
        Map<String, String> env = new HashMap<>();
        env.put("XDG_CACHE_HOME", "/xdg");
        assertEquals(Path.of("/xdg/huggingface/hub"), HubSettings.fromEnvironment(env, DEFAULT_CACHE).cacheDir());
        env.put("HF_HOME", "/hf-home");
        assertEquals(Path.of("/hf-home/hub"), HubSettings.fromEnvironment(env, DEFAULT_CACHE).cacheDir());
        env.put("HUGGINGFACE_HUB_CACHE", "/legacy-hub-cache");
        assertEquals(Path.of("/legacy-hub-cache"), HubSettings.fromEnvironment(env, DEFAULT_CACHE).cacheDir());
        env.put("HF_HUB_CACHE", "/hub-cache");
        assertEquals(Path.of("/hub-cache"), HubSettings.fromEnvironment(env, DEFAULT_CACHE).cacheDir());
        env.put("CALIBRA_HF_CACHE", "/calibra-cache");
        assertEquals(Path.of("/calibra-cache"), HubSettings.fromEnvironment(env, DEFAULT_CACHE).cacheDir());
        env.put("CALIBRA_HF_CACHE", " ");
        assertEquals(Path.of("/hub-cache"), HubSettings.fromEnvironment(env, DEFAULT_CACHE).cacheDir(), "blank means unset");
    }

    @Test
    void fromEnvironment_token_prefersHfTokenOverTheLegacyName() {
        assertEquals("legacy", HubSettings.fromEnvironment(Map.of("HUGGING_FACE_HUB_TOKEN", "legacy"), DEFAULT_CACHE).token());
        assertEquals("new", HubSettings.fromEnvironment(
                Map.of("HF_TOKEN", "new", "HUGGING_FACE_HUB_TOKEN", "legacy"), DEFAULT_CACHE).token());
        assertFalse(HubSettings.fromEnvironment(Map.of("HF_TOKEN", ""), DEFAULT_CACHE).hasToken(), "empty means none");
    }

    @Test
    void fromEnvironment_endpoint_dropsTrailingSlashes() {
        HubSettings settings = HubSettings.fromEnvironment(Map.of("HF_ENDPOINT", "http://127.0.0.1:8080//"), DEFAULT_CACHE);
        assertEquals(URI.create("http://127.0.0.1:8080"), settings.endpoint());
    }

    @Test
    void fromEnvironment_endpointThatIsNotHttp_isRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HubSettings.fromEnvironment(Map.of("HF_ENDPOINT", "ftp://mirror"), DEFAULT_CACHE));
        assertTrue(e.getMessage().contains("HF_ENDPOINT"), e.getMessage());
    }

    @ParameterizedTest(name = "HF_HUB_OFFLINE={0} -> {1}")
    @CsvSource({"1, true", "true, true", "TRUE, true", "yes, true", "on, true", "0, false", "false, false", "no, false"})
    void fromEnvironment_offline_readsHuggingFaceTrueValues(String value, boolean offline) {
        assertEquals(offline, HubSettings.fromEnvironment(Map.of("HF_HUB_OFFLINE", value), DEFAULT_CACHE).offline());
    }

    @Test
    void fromEnvironment_transformersOffline_countsWhenHfHubOfflineIsUnset() {
        assertTrue(HubSettings.fromEnvironment(Map.of("TRANSFORMERS_OFFLINE", "1"), DEFAULT_CACHE).offline());
        assertFalse(HubSettings.fromEnvironment(Map.of("TRANSFORMERS_OFFLINE", "1", "HF_HUB_OFFLINE", "0"), DEFAULT_CACHE).offline());
    }

    @Test
    void toString_neverShowsTheToken() {
        HubSettings settings = new HubSettings(URI.create("https://huggingface.co"), "hf_secret", DEFAULT_CACHE, false);
        assertFalse(settings.toString().contains("hf_secret"), settings.toString());
        assertTrue(settings.toString().contains("<set>"), settings.toString());
    }
}

package dev.calibra.hub;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Where the hub is, who we are to it, where its files are cached, and whether the network may be used.
 *
 * @param endpoint the hub's base URL, without a trailing slash ({@code https://huggingface.co} by default)
 * @param token    the access token sent as {@code Authorization: Bearer}, or "" for none; never printed
 * @param cacheDir the hub cache folder (huggingface_hub's {@code HF_HUB_CACHE}), holding {@code models--ORG--NAME}
 * @param offline  when true nothing goes over the network: pulls are answered from the cache or fail
 */
public record HubSettings(URI endpoint, String token, Path cacheDir, boolean offline) {

    public static final URI DEFAULT_ENDPOINT = URI.create("https://huggingface.co");
    /** The values huggingface_hub reads as true in an environment variable, compared upper-case. */
    private static final Set<String> TRUE_VALUES = Set.of("1", "ON", "YES", "TRUE");

    public HubSettings {
        endpoint = withoutTrailingSlash(Objects.requireNonNull(endpoint, "endpoint"));
        token = token == null ? "" : token.strip();
        Objects.requireNonNull(cacheDir, "cacheDir");
    }

    /**
     * Reads the variables huggingface_hub reads. Endpoint: {@code HF_ENDPOINT}. Token: {@code HF_TOKEN}, else
     * {@code HUGGING_FACE_HUB_TOKEN}. Offline: {@code HF_HUB_OFFLINE}, else {@code TRANSFORMERS_OFFLINE}. Cache:
     * {@code CALIBRA_HF_CACHE}, else {@code HF_HUB_CACHE}, else {@code HUGGINGFACE_HUB_CACHE}, else
     * {@code HF_HOME/hub}, else {@code XDG_CACHE_HOME/huggingface/hub}, else {@code defaultCache}.
     */
    public static HubSettings fromEnvironment(Map<String, String> env, Path defaultCache) {
        String endpoint = value(env, "HF_ENDPOINT");
        String token = value(env, "HF_TOKEN");
        if (token == null) {
            token = value(env, "HUGGING_FACE_HUB_TOKEN");
        }
        String offline = value(env, "HF_HUB_OFFLINE");
        if (offline == null) {
            offline = value(env, "TRANSFORMERS_OFFLINE");
        }
        return new HubSettings(
                endpoint == null ? DEFAULT_ENDPOINT : parseEndpoint(endpoint),
                token,
                cacheDir(env, defaultCache),
                offline != null && TRUE_VALUES.contains(offline.toUpperCase(Locale.ROOT)));
    }

    public boolean hasToken() {
        return !token.isEmpty();
    }

    /** Like the record's, but with the token hidden. */
    @Override
    public String toString() {
        return "HubSettings[endpoint=" + endpoint + ", token=" + (hasToken() ? "<set>" : "<none>")
                + ", cacheDir=" + cacheDir + ", offline=" + offline + "]";
    }

    private static Path cacheDir(Map<String, String> env, Path defaultCache) {
        for (String name : new String[] {"CALIBRA_HF_CACHE", "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"}) {
            String folder = value(env, name);
            if (folder != null) {
                return expandHome(folder);
            }
        }
        String home = value(env, "HF_HOME");
        if (home != null) {
            return expandHome(home).resolve("hub");
        }
        String xdg = value(env, "XDG_CACHE_HOME");
        if (xdg != null) {
            return expandHome(xdg).resolve("huggingface").resolve("hub");
        }
        return Objects.requireNonNull(defaultCache, "defaultCache");
    }

    private static String value(Map<String, String> env, String name) {
        String value = env.get(name);
        return value == null || value.isBlank() ? null : value.strip();
    }

    private static Path expandHome(String folder) {
        if (folder.equals("~") || folder.startsWith("~/")) {
            return Path.of(System.getProperty("user.home") + folder.substring(1));
        }
        return Path.of(folder);
    }

    private static URI parseEndpoint(String text) {
        try {
            URI uri = new URI(text);
            if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
                throw new IllegalArgumentException("HF_ENDPOINT '" + text + "' is not an http(s) URL with a host");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("HF_ENDPOINT '" + text + "' is not a URL: " + e.getMessage(), e);
        }
    }

    private static URI withoutTrailingSlash(URI uri) {
        String text = uri.toString();
        int end = text.length();
        while (end > 0 && text.charAt(end - 1) == '/') {
            end--;
        }
        return end == text.length() ? uri : URI.create(text.substring(0, end));
    }
}

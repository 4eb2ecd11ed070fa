package dev.calibra.artifacts;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Builds the artifact store a configuration names: a plain path or a {@code file:} URI gives a
 * {@link LocalArtifactStore}, an {@code s3://bucket/prefix} URI an {@link S3ArtifactStore} configured from the AWS
 * variables ({@link S3StoreConfig#fromEnvironment}). Services call {@link #fromEnvironment} with
 * {@code System.getenv()}; tests pass their own map.
 */
public final class ArtifactStores {

    /** The store's location: a path, a file: URI or an s3:// URI. */
    public static final String STORE_VARIABLE = "CALIBRA_ARTIFACT_STORE";
    /** The older variable, a local root; read when CALIBRA_ARTIFACT_STORE is not set. */
    public static final String ROOT_VARIABLE = "CALIBRA_ARTIFACTS";
    /** A scheme of two or more characters, so that a Windows drive ("C:\...") stays a path. */
    private static final Pattern SCHEME = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]+):.*", Pattern.DOTALL);

    private ArtifactStores() {}

    /**
     * The store CALIBRA_ARTIFACT_STORE (else CALIBRA_ARTIFACTS) names in {@code env}; an S3 store caches what it
     * reads under {@code cacheDir}.
     */
    public static ArtifactStore fromEnvironment(Map<String, String> env, Path cacheDir) throws IOException {
        String location = locationIn(env).orElseThrow(() -> new IllegalArgumentException("no artifact store configured:"
                + " set " + STORE_VARIABLE + " to a folder or an s3://bucket/prefix URI"));
        return open(location, env, cacheDir);
    }

    /** The store's location CALIBRA_ARTIFACT_STORE (else CALIBRA_ARTIFACTS) gives in {@code env}, trimmed; blank is unset. */
    public static Optional<String> locationIn(Map<String, String> env) {
        for (String variable : new String[] {STORE_VARIABLE, ROOT_VARIABLE}) {
            String value = env.get(variable);
            if (value != null && !value.isBlank()) {
                return Optional.of(value.trim());
            }
        }
        return Optional.empty();
    }

    /** A local location, a plain path or a {@code file:} URI, as a path. */
    public static Path pathOf(String location) {
        return location.startsWith("file:") ? Path.of(URI.create(location)) : Path.of(location);
    }

    /**
     * The local path of a registered location: the store's own s3: URIs through the store (downloaded into its cache
     * and verified), file: URIs and plain paths as they are, since base models and corpora may live outside the store.
     */
    public static Path localPath(ArtifactStore store, String location) {
        var scheme = SCHEME.matcher(location);
        if (!scheme.matches()) {
            return Path.of(location);
        }
        URI uri = URI.create(location);
        return switch (scheme.group(1).toLowerCase(Locale.ROOT)) {
            case "file" -> Path.of(uri);
            case S3Location.SCHEME -> store.resolve(uri);
            default -> throw new IllegalArgumentException("artifact location '" + location + "' has the scheme '"
                    + scheme.group(1) + "'; locations are paths, file: URIs or s3:// URIs of the artifact store");
        };
    }

    /** The store at {@code location} (a path, file: URI or s3:// URI); {@code env} supplies the S3 settings. */
    public static ArtifactStore open(String location, Map<String, String> env, Path cacheDir) throws IOException {
        var scheme = SCHEME.matcher(location);
        if (!scheme.matches()) {
            return new LocalArtifactStore(Path.of(location));
        }
        return switch (scheme.group(1).toLowerCase(Locale.ROOT)) {
            case "file" -> new LocalArtifactStore(Path.of(URI.create(location)));
            case S3Location.SCHEME -> S3ArtifactStore.open(S3StoreConfig.fromEnvironment(URI.create(location), env, cacheDir));
            default -> throw new IllegalArgumentException("artifact store '" + location + "' has the scheme '"
                    + scheme.group(1) + "'; a store is a path, a file: URI or an s3://bucket/prefix URI");
        };
    }
}

package dev.calibra.artifacts;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * Where an S3 store keeps its artifacts: a bucket and a key prefix, written {@code s3://bucket/prefix}. An artifact's
 * key is the same relative path the local store takes ({@link StoreLayout}: {@code teams/<team>/...}); its object
 * is {@code prefix/key} and its URI {@code s3://bucket/prefix/key}. Keys and URIs that would leave the prefix are
 * refused, so team confinement works by key prefix exactly as on a local root.
 */
public record S3Location(String bucket, String prefix) {

    public static final String SCHEME = "s3";
    /** S3's rule, loosened to the names S3-compatible servers also take (upper case, underscores). */
    private static final Pattern BUCKET = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{1,62}");
    /** LocalArtifactStore's staging folder: refused as a first segment here too, so a key is valid in both stores. */
    private static final String LOCAL_TEMP_FOLDER = ".tmp";

    public S3Location {
        if (bucket == null || !BUCKET.matcher(bucket).matches()) {
            throw new IllegalArgumentException("'" + bucket + "' is not an S3 bucket name");
        }
        prefix = trimSlashes(prefix == null ? "" : prefix);
        if (!prefix.isEmpty() && !plainSegments(prefix)) {
            throw new IllegalArgumentException("S3 prefix '" + prefix + "' has an empty, '.' or '..' segment");
        }
    }

    /** Whether {@code location} (a URI, a path) names an object in S3: it has the scheme {@code s3:}. */
    public static boolean isUri(String location) {
        return location.startsWith(SCHEME + ":");
    }

    /** Parses {@code s3://bucket} or {@code s3://bucket/prefix} (a trailing '/' is ignored). */
    public static S3Location parse(URI uri) {
        if (!SCHEME.equals(uri.getScheme()) || uri.getRawAuthority() == null || uri.getRawQuery() != null
                || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("'" + uri + "' is not an s3://bucket/prefix URI");
        }
        return new S3Location(uri.getRawAuthority(), uri.getPath());
    }

    /** The store's own URI, {@code s3://bucket/prefix}. */
    public URI root() {
        return URI.create(SCHEME + "://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix));
    }

    /** The object key of an artifact key, refusing keys that escape the prefix. */
    public String objectKey(String key) {
        checkKey(key);
        return prefix.isEmpty() ? key : prefix + "/" + key;
    }

    /** {@code s3://bucket/prefix/key}, percent-encoded where the key needs it. */
    public URI uriOf(String key) {
        return objectUri(objectKey(key));
    }

    /** {@code s3://bucket/objectKey}: what error messages name. */
    URI objectUri(String objectKey) {
        try {
            return new URI(SCHEME, bucket, "/" + objectKey, null, null);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("object key '" + objectKey + "' makes no URI: " + e.getMessage(), e);
        }
    }

    /** The artifact key a URI of this store names; refuses other schemes, buckets and prefixes. */
    public String keyOf(URI uri) {
        if (!SCHEME.equals(uri.getScheme())) {
            throw new IllegalArgumentException("artifact URI " + uri + " is not an s3: URI of the store " + root());
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        String root = prefix.isEmpty() ? "/" : "/" + prefix + "/";
        if (!bucket.equals(uri.getRawAuthority()) || !path.startsWith(root)) {
            throw new IllegalArgumentException("artifact URI " + uri + " lies outside the store root " + root());
        }
        String key = path.substring(root.length());
        try {
            checkKey(key);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("artifact URI " + uri + " names no key of the store: " + e.getMessage(), e);
        }
        return key;
    }

    /**
     * Refuses what LocalArtifactStore refuses (empty keys, absolute keys, '..' escapes, its staging folder) and what
     * would be ambiguous in an object key (empty and '.' segments), plus the folder-manifest name, which only a
     * folder put may write.
     */
    void checkKey(String key) {
        if (key == null || key.isBlank()) {
            throw new IllegalArgumentException("artifact key is empty");
        }
        String[] segments = key.split("/", -1);
        if (key.startsWith("/") || Arrays.asList(segments).contains("..")
                || segments[0].equals(LOCAL_TEMP_FOLDER)) {
            throw new IllegalArgumentException("artifact key '" + key + "' escapes the store root " + root());
        }
        if (!plainSegments(key)) {
            throw new IllegalArgumentException("artifact key '" + key + "' has an empty or '.' segment; keys are plain"
                    + " relative paths under the store root " + root());
        }
        if (segments[segments.length - 1].equals(FolderManifest.FILE_NAME)) {
            throw new IllegalArgumentException("artifact key '" + key + "' names a folder manifest, which only putFolder"
                    + " writes");
        }
    }

    /** Whether a '/'-separated relative path has only non-empty segments other than '.' and '..'. */
    static boolean plainSegments(String path) {
        for (String segment : path.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return false;
            }
        }
        return true;
    }

    private static String trimSlashes(String path) {
        int start = 0;
        int end = path.length();
        while (start < end && path.charAt(start) == '/') {
            start++;
        }
        while (end > start && path.charAt(end - 1) == '/') {
            end--;
        }
        return path.substring(start, end);
    }

    @Override
    public String toString() {
        return root().toString();
    }
}

package dev.calibra.artifacts;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * How to reach an S3-compatible artifact store and where this host caches what it reads.
 *
 * @param location       the bucket and key prefix ({@code s3://bucket/prefix})
 * @param endpoint       an S3-compatible server (MinIO, Ceph, S3Proxy...), addressed path-style; null for AWS itself
 * @param region         the signing region, e.g. "us-east-1"
 * @param accessKey      a static key pair; null to use the SDK's default chain (environment, profile, web identity,
 *                       container and instance roles)
 * @param cacheDir       the local folder {@link S3ArtifactStore#resolve} downloads into (and uploads stage in)
 * @param partSizeBytes  files larger than this go up as a multipart upload in parts of this size (at least 5 MiB,
 *                       S3's smallest part)
 */
public record S3StoreConfig(S3Location location, URI endpoint, String region, AccessKey accessKey, Path cacheDir,
        long partSizeBytes) {

    /** The AWS tools' variables, read from the map {@link #fromEnvironment} is given. */
    public static final String ENDPOINT_S3_VARIABLE = "AWS_ENDPOINT_URL_S3";
    public static final String ENDPOINT_VARIABLE = "AWS_ENDPOINT_URL";
    public static final String REGION_VARIABLE = "AWS_REGION";
    public static final String DEFAULT_REGION_VARIABLE = "AWS_DEFAULT_REGION";
    public static final String ACCESS_KEY_ID_VARIABLE = "AWS_ACCESS_KEY_ID";
    public static final String SECRET_ACCESS_KEY_VARIABLE = "AWS_SECRET_ACCESS_KEY";
    public static final String SESSION_TOKEN_VARIABLE = "AWS_SESSION_TOKEN";
    /** Calibra's own: the multipart part size in bytes. */
    public static final String PART_SIZE_VARIABLE = "CALIBRA_S3_PART_BYTES";

    public static final String DEFAULT_REGION = "us-east-1";
    public static final long DEFAULT_PART_SIZE_BYTES = 64L << 20;
    public static final long MIN_PART_SIZE_BYTES = 5L << 20;

    /** A static key pair (and session token for temporary credentials, else null); toString hides the secrets. */
    public record AccessKey(String id, String secret, String sessionToken) {
        public AccessKey {
            Objects.requireNonNull(id, "access key id");
            Objects.requireNonNull(secret, "secret access key");
        }

        AwsCredentials credentials() {
            return sessionToken == null ? AwsBasicCredentials.create(id, secret)
                    : AwsSessionCredentials.create(id, secret, sessionToken);
        }

        @Override
        public String toString() {
            return "AccessKey[id=" + id + ", secret=****" + (sessionToken == null ? "" : ", sessionToken=****") + "]";
        }
    }

    public S3StoreConfig {
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(cacheDir, "cacheDir");
        if (endpoint != null && !("http".equals(endpoint.getScheme()) || "https".equals(endpoint.getScheme()))) {
            throw new IllegalArgumentException("S3 endpoint '" + endpoint + "' is not an http: or https: URL");
        }
        if (partSizeBytes < MIN_PART_SIZE_BYTES) {
            throw new IllegalArgumentException("S3 part size " + partSizeBytes + " bytes is below S3's minimum of "
                    + MIN_PART_SIZE_BYTES);
        }
    }

    /**
     * The store at {@code storeUri} ({@code s3://bucket/prefix}) as the AWS tools would reach it from {@code env}:
     * endpoint from AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL, region from AWS_REGION or AWS_DEFAULT_REGION (else
     * us-east-1), keys from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN (else the SDK's default
     * chain), part size from CALIBRA_S3_PART_BYTES (else 64 MiB).
     */
    public static S3StoreConfig fromEnvironment(URI storeUri, Map<String, String> env, Path cacheDir) {
        String endpoint = first(env, ENDPOINT_S3_VARIABLE, ENDPOINT_VARIABLE);
        String region = first(env, REGION_VARIABLE, DEFAULT_REGION_VARIABLE);
        String id = first(env, ACCESS_KEY_ID_VARIABLE);
        String secret = first(env, SECRET_ACCESS_KEY_VARIABLE);
        if ((id == null) != (secret == null)) {
            throw new IllegalArgumentException(ACCESS_KEY_ID_VARIABLE + " and " + SECRET_ACCESS_KEY_VARIABLE
                    + " go together, but only " + (id == null ? SECRET_ACCESS_KEY_VARIABLE : ACCESS_KEY_ID_VARIABLE) + " is set");
        }
        String partSize = first(env, PART_SIZE_VARIABLE);
        long partSizeBytes;
        try {
            partSizeBytes = partSize == null ? DEFAULT_PART_SIZE_BYTES : Long.parseLong(partSize);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(PART_SIZE_VARIABLE + "='" + partSize + "' is not a number of bytes", e);
        }
        return new S3StoreConfig(S3Location.parse(storeUri), endpoint == null ? null : URI.create(endpoint),
                region == null ? DEFAULT_REGION : region,
                id == null ? null : new AccessKey(id, secret, first(env, SESSION_TOKEN_VARIABLE)),
                cacheDir, partSizeBytes);
    }

    /** A client for this store on the JDK's HTTP client; {@code interceptors} watch every call (tests count them). */
    public S3Client newClient(ExecutionInterceptor... interceptors) {
        AwsCredentialsProvider credentials = accessKey == null ? DefaultCredentialsProvider.builder().build()
                : StaticCredentialsProvider.create(accessKey.credentials());
        S3ClientBuilder builder = S3Client.builder()
                .httpClient(UrlConnectionHttpClient.builder().build())
                .region(Region.of(region))
                .credentialsProvider(credentials)
                .overrideConfiguration(override -> {
                    for (ExecutionInterceptor interceptor : interceptors) {
                        override.addExecutionInterceptor(interceptor);
                    }
                });
        if (endpoint != null) {
            // S3-compatible servers: bucket in the path, and checksums only where S3 requires them, since many such
            // servers refuse the SDK's newer default trailing checksums. Downloads are checked by sha256 anyway.
            builder.endpointOverride(endpoint)
                    .forcePathStyle(true)
                    .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                    .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        }
        return builder.build();
    }

    private static String first(Map<String, String> env, String... variables) {
        for (String variable : variables) {
            String value = env.get(variable);
            if (value != null && !value.isBlank()) {
                return value.trim();
            }
        }
        return null;
    }
}

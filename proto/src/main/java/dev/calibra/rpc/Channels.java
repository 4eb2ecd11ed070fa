package dev.calibra.rpc;

import io.grpc.ChannelCredentials;
import io.grpc.ClientInterceptor;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import java.io.File;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Client channels to Calibra services, addressed as "host:port".
 *
 * <p>Plaintext unless CALIBRA_TLS_CA names a PEM file of the CA to trust; CALIBRA_TLS_CERT and
 * CALIBRA_TLS_KEY (PEM) add a client certificate for mutual TLS.
 */
public final class Channels {

    /** Largest message a Calibra client accepts (calibration samples, score batches). */
    public static final int MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

    private Channels() {}

    public static ManagedChannel open(String target, ClientInterceptor... interceptors) {
        return open(target, System.getenv(), interceptors);
    }

    static ManagedChannel open(String target, Map<String, String> env, ClientInterceptor... interceptors) {
        if (target == null || !target.matches("[^:]+:\\d+")) {
            throw new IllegalArgumentException("service address '" + target + "' is not HOST:PORT");
        }
        return Grpc.newChannelBuilder(target, credentials(env))
                .maxInboundMessageSize(MAX_MESSAGE_BYTES)
                .intercept(interceptors)
                .build();
    }

    static ChannelCredentials credentials(Map<String, String> env) {
        String ca = env.getOrDefault("CALIBRA_TLS_CA", "");
        if (ca.isBlank()) {
            return InsecureChannelCredentials.create();
        }
        try {
            TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder().trustManager(readable(ca, "CALIBRA_TLS_CA"));
            String cert = env.getOrDefault("CALIBRA_TLS_CERT", "");
            String key = env.getOrDefault("CALIBRA_TLS_KEY", "");
            if (!cert.isBlank() || !key.isBlank()) {
                tls.keyManager(readable(cert, "CALIBRA_TLS_CERT"), readable(key, "CALIBRA_TLS_KEY"));
            }
            return tls.build();
        } catch (IOException e) {
            throw new IllegalArgumentException("TLS settings: " + e.getMessage(), e);
        }
    }

    private static File readable(String path, String variable) {
        File file = new File(path);
        if (path.isBlank() || !file.canRead()) {
            throw new IllegalArgumentException(variable + " '" + path + "' is not a readable PEM file");
        }
        return file;
    }

    public static void close(ManagedChannel channel) {
        channel.shutdown();
        try {
            if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
                channel.shutdownNow();
            }
        } catch (InterruptedException e) {
            channel.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}

package dev.calibra.registry;

import dev.calibra.rpc.auth.CallerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import org.eclipse.microprofile.config.ConfigProvider;

/** Channels to the test registry that call with a given key (or with none). */
public final class KeyedChannels {

    private KeyedChannels() {}

    public static ManagedChannel withKey(String secret) {
        return builder().intercept(new CallerCredentials(secret)).build();
    }

    public static ManagedChannel withoutKey() {
        return builder().build();
    }

    private static ManagedChannelBuilder<?> builder() {
        int port = ConfigProvider.getConfig().getValue("quarkus.grpc.clients.registry.port", Integer.class);
        return ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext();
    }
}

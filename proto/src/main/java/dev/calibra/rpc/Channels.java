package dev.calibra.rpc;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.util.concurrent.TimeUnit;

/** Client channels to Calibra services, addressed as "host:port". */
public final class Channels {

    /** Largest message a Calibra client accepts (calibration samples, score batches). */
    public static final int MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

    private Channels() {}

    public static ManagedChannel open(String target) {
        if (target == null || !target.matches("[^:]+:\\d+")) {
            throw new IllegalArgumentException("service address '" + target + "' is not HOST:PORT");
        }
        return ManagedChannelBuilder.forTarget(target)
                .usePlaintext()
                .maxInboundMessageSize(MAX_MESSAGE_BYTES)
                .build();
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

package dev.calibra.rpc;

import dev.calibra.proto.v1.AdminGrpc;
import dev.calibra.proto.v1.Identity;
import dev.calibra.proto.v1.JobsGrpc;
import dev.calibra.proto.v1.RegistryGrpc;
import dev.calibra.proto.v1.StudiesGrpc;
import dev.calibra.proto.v1.WhoAmIRequest;
import dev.calibra.rpc.auth.CallerCredentials;
import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A worker service's one channel to the registry. Calls carry the key of the caller being served when
 * there is one, else the service's own key (see {@link CallerCredentials}).
 */
public class RegistryConnection {

    /** How long a key the registry accepted is trusted without asking again (revocation bound). */
    public static final long KEY_CHECK_TTL_NANOS = 5_000_000_000L;

    private final ManagedChannel channel;
    private final Map<String, Acceptance> accepted = new ConcurrentHashMap<>();

    /** A key the registry accepted: until when it is trusted, and the team it belongs to. */
    private record Acceptance(long untilNanos, String team) {}

    /** @param extra further client interceptors, e.g. one that carries the trace context */
    public RegistryConnection(String target, String serviceKey, ClientInterceptor... extra) {
        this(Channels.open(target, withCredentials(serviceKey, extra)));
    }

    private static ClientInterceptor[] withCredentials(String serviceKey, ClientInterceptor[] extra) {
        ClientInterceptor[] all = java.util.Arrays.copyOf(extra, extra.length + 1);
        all[extra.length] = new CallerCredentials(serviceKey);
        return all;
    }

    /** Over an existing channel (in-process tests). */
    public RegistryConnection(ManagedChannel channel) {
        this.channel = channel;
    }

    public RegistryGrpc.RegistryBlockingStub registry() {
        return RegistryGrpc.newBlockingStub(channel);
    }

    public JobsGrpc.JobsBlockingStub jobs() {
        return JobsGrpc.newBlockingStub(channel);
    }

    public StudiesGrpc.StudiesBlockingStub studies() {
        return StudiesGrpc.newBlockingStub(channel);
    }

    public AdminGrpc.AdminBlockingStub admin() {
        return AdminGrpc.newBlockingStub(channel);
    }

    /**
     * Asks the registry whether a caller's key is valid and returns the key's team; throws its
     * StatusRuntimeException when not. Accepted keys are remembered for {@link #KEY_CHECK_TTL_NANOS}.
     */
    public String verifyKey(String secret) {
        long now = System.nanoTime();
        Acceptance known = accepted.get(secret);
        if (known != null && known.untilNanos() - now > 0) {
            return known.team();
        }
        Identity identity;
        try {
            identity = CallerCredentials.forwarding(secret, () -> admin().whoAmI(WhoAmIRequest.getDefaultInstance()));
        } catch (RuntimeException e) {
            accepted.remove(secret);
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        if (accepted.size() > 10_000) {
            accepted.clear();
        }
        accepted.put(secret, new Acceptance(now + KEY_CHECK_TTL_NANOS, identity.getTeam()));
        return identity.getTeam();
    }

    public void close() {
        Channels.close(channel);
    }
}

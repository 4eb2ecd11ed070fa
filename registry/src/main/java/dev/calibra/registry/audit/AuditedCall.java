package dev.calibra.registry.audit;

import dev.calibra.registry.team.Identity;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;

/**
 * A mutating call that writes its audit row when it closes: who (set once authenticated), the request
 * and the response it saw, and the status it closes with.
 */
public final class AuditedCall<Q, R> extends ForwardingServerCall.SimpleForwardingServerCall<Q, R> {

    private final AuditLog log;
    private final String method;
    private volatile Identity identity;
    private volatile Object request;
    private volatile Object response;

    public AuditedCall(ServerCall<Q, R> call, AuditLog log) {
        super(call);
        this.log = log;
        this.method = call.getMethodDescriptor().getFullMethodName();
    }

    public void identify(Identity who) {
        this.identity = who;
    }

    /** The listener that also remembers the request, for the row's target. */
    public ServerCall.Listener<Q> remembering(ServerCall.Listener<Q> listener) {
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
            @Override
            public void onMessage(Q message) {
                request = message;
                super.onMessage(message);
            }
        };
    }

    @Override
    public void sendMessage(R message) {
        response = message;
        super.sendMessage(message);
    }

    /**
     * Records the call once its outcome is final, just before the status leaves: a client holding its
     * answer can already find the row (and a row never claims an answer the client did not get for a
     * reason other than a lost connection).
     */
    @Override
    public void close(Status status, Metadata trailers) {
        if (AuditedMethods.worthRecording(method, status, response)) {
            log.record(identity, method, AuditedMethods.target(method, request, response), status);
        }
        super.close(status, trailers);
    }
}

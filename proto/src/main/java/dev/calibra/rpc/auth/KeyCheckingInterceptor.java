package dev.calibra.rpc.auth;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.function.Function;

/**
 * Authentication for the worker services: every call (but health and reflection) must carry a key
 * the registry accepts; the call then runs with that key forwarded on its registry calls, so a
 * service never does more for a caller than the caller's key allows, and with the key's team
 * readable through {@link CallerCredentials#currentTeam()}.
 */
public final class KeyCheckingInterceptor implements ServerInterceptor {

    private final Function<String, String> teamOfKey;

    /** @param teamOfKey asks the registry about a secret and returns its team; throws StatusRuntimeException when refused */
    public KeyCheckingInterceptor(Function<String, String> teamOfKey) {
        this.teamOfKey = teamOfKey;
    }

    public static boolean isOpen(String fullMethodName) {
        return fullMethodName.startsWith("grpc.health.") || fullMethodName.startsWith("grpc.reflection.");
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        if (isOpen(call.getMethodDescriptor().getFullMethodName())) {
            return next.startCall(call, headers);
        }
        String secret = ApiKeys.bearer(headers).orElse(null);
        if (secret == null) {
            call.close(Status.UNAUTHENTICATED.withDescription(
                    "missing metadata 'authorization: Bearer <key>' (set CALIBRA_API_KEY)"), new Metadata());
            return new ServerCall.Listener<>() {};
        }
        String team;
        try {
            team = teamOfKey.apply(secret);
        } catch (StatusRuntimeException refused) {
            Status status = refused.getStatus();
            Status answer = status.getCode() == Status.Code.UNAUTHENTICATED || status.getCode() == Status.Code.UNAVAILABLE
                    ? status
                    : Status.UNAVAILABLE.withDescription("cannot check the API key with the registry: " + status.getDescription());
            call.close(answer, new Metadata());
            return new ServerCall.Listener<>() {};
        }
        Context context = CallerCredentials.forwardingContext(secret, team);
        return Contexts.interceptCall(context, call, headers, next);
    }
}

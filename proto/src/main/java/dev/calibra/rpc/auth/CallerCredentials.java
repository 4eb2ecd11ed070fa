package dev.calibra.rpc.auth;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Context;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import java.util.concurrent.Callable;

/**
 * Puts credentials on outgoing calls. A service calling the registry forwards the key of the caller
 * it is serving (so it never acts with more rights than that caller); running a job it uses its own
 * service key and names the job's team. Both choices ride on the gRPC {@link Context}.
 */
public final class CallerCredentials implements ClientInterceptor {

    private static final Context.Key<String> FORWARDED_KEY = Context.key("calibra-forwarded-key");
    private static final Context.Key<String> ACTING_TEAM = Context.key("calibra-acting-team");
    // The verified caller's team, so domain code can name the owner without asking the registry again.
    private static final Context.Key<String> CALLER_TEAM = Context.key("calibra-caller-team");

    private final String ownKey;

    /** @param ownKey this process's key; may be empty when only forwarding is expected */
    public CallerCredentials(String ownKey) {
        this.ownKey = ownKey == null ? "" : ownKey;
    }

    /** Runs body with calls made on behalf of the caller holding secret. */
    public static <T> T forwarding(String secret, Callable<T> body) throws Exception {
        return Context.current().withValue(FORWARDED_KEY, secret).call(body);
    }

    /** The context under which calls carry the caller's key, for work that outlives one call. */
    public static Context forwardingContext(String secret) {
        return Context.current().withValue(FORWARDED_KEY, secret);
    }

    /** As {@link #forwardingContext(String)}, remembering the team the registry said the key belongs to. */
    public static Context forwardingContext(String secret, String callerTeam) {
        return forwardingContext(secret).withValue(CALLER_TEAM, callerTeam);
    }

    /** The context under which calls use this process's own key acting for team (a job's team). */
    public static Context actingFor(String team) {
        return Context.current().withValue(ACTING_TEAM, team).withValue(FORWARDED_KEY, null).withValue(CALLER_TEAM, null);
    }

    /**
     * The team the current work is for: the job's team under {@link #actingFor}, else the verified
     * caller's team of a direct call, else "" (no caller known, e.g. a test calling domain code).
     */
    public static String currentTeam() {
        String acting = ACTING_TEAM.get();
        if (acting != null && !acting.isEmpty()) {
            return acting;
        }
        String caller = CALLER_TEAM.get();
        return caller == null ? "" : caller;
    }

    /** The key forwarded in the current context, if any. */
    public static String forwardedKey() {
        return FORWARDED_KEY.get();
    }

    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        String forwarded = FORWARDED_KEY.get();
        String team = ACTING_TEAM.get();
        return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
            @Override
            public void start(Listener<R> listener, Metadata headers) {
                if (forwarded != null) {
                    headers.put(ApiKeys.AUTHORIZATION, "Bearer " + forwarded);
                } else if (!ownKey.isEmpty()) {
                    headers.put(ApiKeys.AUTHORIZATION, "Bearer " + ownKey);
                    if (team != null && !team.isEmpty()) {
                        headers.put(ApiKeys.ACTING_TEAM, team);
                    }
                }
                super.start(listener, headers);
            }
        };
    }
}

package dev.calibra.registry.auth;

import dev.calibra.registry.audit.AuditLog;
import dev.calibra.registry.audit.AuditedCall;
import dev.calibra.registry.audit.AuditedMethods;
import dev.calibra.registry.team.Caller;
import dev.calibra.registry.team.Identity;
import dev.calibra.rpc.CalibraException;
import dev.calibra.rpc.GrpcErrors;
import dev.calibra.rpc.auth.ApiKeys;
import dev.calibra.rpc.auth.KeyCheckingInterceptor;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * Every call but gRPC health and reflection: `authorization: Bearer <key>` to an {@link Identity} on
 * the call's gRPC Context (read by {@link Caller}), or UNAUTHENTICATED saying why. Mutating calls are
 * also audited as they close, refused ones included (AuditedCall).
 *
 * <p>Quarkus runs global interceptors of default priority inside its blocking interceptor, so for
 * the registry's @Blocking services this runs on a worker thread and may query the database.
 */
@ApplicationScoped
@GlobalInterceptor
public class AuthInterceptor implements ServerInterceptor {

    private static final Logger LOG = Logger.getLogger(AuthInterceptor.class);
    private static final Metadata.Key<String> TRACE_PARENT = Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER);
    // W3C Trace Context: version-traceid-parentid-flags, lower-case hex.
    private static final Pattern W3C_TRACE_PARENT = Pattern.compile("[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");

    private final Authenticator authenticator;
    private final AuditLog auditLog;

    public AuthInterceptor(Authenticator authenticator, AuditLog auditLog) {
        this.authenticator = authenticator;
        this.auditLog = auditLog;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String method = call.getMethodDescriptor().getFullMethodName();
        if (KeyCheckingInterceptor.isOpen(method)) {
            return next.startCall(call, headers);
        }
        AuditedCall<Q, R> audited = AuditedMethods.isAudited(method) ? new AuditedCall<>(call, auditLog) : null;
        ServerCall<Q, R> answered = audited == null ? call : audited;
        Identity identity;
        try {
            String secret = ApiKeys.bearer(headers).orElseThrow(() -> new CalibraException(CalibraException.Kind.UNAUTHENTICATED,
                    "missing metadata 'authorization: Bearer <key>' (set CALIBRA_API_KEY)"));
            identity = authenticator.authenticate(secret, headers.get(ApiKeys.ACTING_TEAM));
        } catch (CalibraException refused) {
            answered.close(GrpcErrors.toStatus(refused).getStatus(), new Metadata());
            return new ServerCall.Listener<>() {};
        } catch (RuntimeException unavailable) {
            // The database is away (restarting); the client retries.
            LOG.warnf("cannot check an API key for %s: %s", method, unavailable.getMessage());
            answered.close(Status.UNAVAILABLE.withDescription("cannot check the API key: the registry's database is unavailable"),
                    new Metadata());
            return new ServerCall.Listener<>() {};
        }
        if (audited != null) {
            audited.identify(identity);
        }
        ServerCall.Listener<Q> listener = Contexts.interceptCall(Caller.context(identity, traceParent(headers)), answered, headers, next);
        return audited == null ? listener : audited.remembering(listener);
    }

    private static String traceParent(Metadata headers) {
        String value = headers.get(TRACE_PARENT);
        return value != null && W3C_TRACE_PARENT.matcher(value.strip()).matches() ? value.strip() : "";
    }
}

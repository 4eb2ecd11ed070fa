package dev.calibra.registry.team;

import dev.calibra.rpc.CalibraException;
import io.grpc.Context;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who is calling: the {@link Identity} that authentication (auth.AuthInterceptor) put on the call's
 * gRPC {@link Context}, which Quarkus carries to the @Blocking service methods.
 */
@ApplicationScoped
public class Caller {

    public static final String DEFAULT_TEAM_ID = "team-default";

    private static final Context.Key<Identity> IDENTITY = Context.key("calibra-identity");
    private static final Context.Key<String> TRACE_PARENT = Context.key("calibra-traceparent");

    private final Map<String, String> namesById = new ConcurrentHashMap<>();

    /** The context a call runs in once authenticated. */
    public static Context context(Identity identity, String traceParent) {
        return Context.current().withValues(IDENTITY, identity, TRACE_PARENT, traceParent);
    }

    public Identity identity() {
        Identity identity = IDENTITY.get();
        if (identity == null) {
            // Only reachable if a service is called outside the authenticating interceptor.
            throw new CalibraException(CalibraException.Kind.UNAUTHENTICATED, "the call carries no authenticated API key");
        }
        return identity;
    }

    public String teamId() {
        return identity().teamId();
    }

    public TeamScope scope() {
        return identity().scope();
    }

    /**
     * The W3C traceparent the call came with; when it sent none, the registry's own server span (so a job
     * submitted by a client without tracing still is one trace); empty when neither exists.
     */
    public String traceParent() {
        String traceParent = TRACE_PARENT.get();
        if (traceParent != null && !traceParent.isEmpty()) {
            return traceParent;
        }
        io.opentelemetry.api.trace.SpanContext span = io.opentelemetry.api.trace.Span.current().getSpanContext();
        return span.isValid() ? "00-" + span.getTraceId() + "-" + span.getSpanId() + "-" + span.getTraceFlags().asHex() : "";
    }

    /** PERMISSION_DENIED unless the key has the admin role. */
    public Identity requireAdmin(String method) {
        Identity identity = identity();
        if (!identity.isAdmin()) {
            throw new CalibraException(CalibraException.Kind.PERMISSION_DENIED, method + " needs an admin key; key "
                    + identity.keyId() + " has the role " + identity.role());
        }
        return identity;
    }

    /** A team's name, for the `team` field of records (team names never change). */
    public String teamName(String teamId) {
        return namesById.computeIfAbsent(teamId, id -> {
            TeamEntity team = TeamEntity.findById(id);
            return team == null ? id : team.name;
        });
    }
}

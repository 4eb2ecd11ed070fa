package dev.calibra.registry.grpc;

import dev.calibra.proto.v1.AdminGrpc;
import dev.calibra.proto.v1.ApiKey;
import dev.calibra.proto.v1.CreateApiKeyRequest;
import dev.calibra.proto.v1.CreateApiKeyResponse;
import dev.calibra.proto.v1.CreateTeamRequest;
import dev.calibra.proto.v1.CreateTeamResponse;
import dev.calibra.proto.v1.Grant;
import dev.calibra.proto.v1.GrantReadRequest;
import dev.calibra.proto.v1.Identity;
import dev.calibra.proto.v1.ListApiKeysRequest;
import dev.calibra.proto.v1.ListApiKeysResponse;
import dev.calibra.proto.v1.ListArtifactReferencesRequest;
import dev.calibra.proto.v1.ListArtifactReferencesResponse;
import dev.calibra.proto.v1.ListGrantsRequest;
import dev.calibra.proto.v1.ListGrantsResponse;
import dev.calibra.proto.v1.ListTeamsRequest;
import dev.calibra.proto.v1.ListTeamsResponse;
import dev.calibra.proto.v1.QueryAuditRequest;
import dev.calibra.proto.v1.QueryAuditResponse;
import dev.calibra.proto.v1.RevokeApiKeyRequest;
import dev.calibra.proto.v1.RevokeReadRequest;
import dev.calibra.proto.v1.SetTeamQuotaRequest;
import dev.calibra.proto.v1.Team;
import dev.calibra.proto.v1.WhoAmIRequest;
import dev.calibra.registry.audit.AuditLog;
import dev.calibra.registry.auth.ApiKeyService;
import dev.calibra.registry.auth.Authenticator;
import dev.calibra.registry.support.ArtifactReferences;
import dev.calibra.registry.team.Caller;
import dev.calibra.registry.team.TeamEntity;
import dev.calibra.registry.team.TeamService;
import dev.calibra.rpc.CalibraException;
import dev.calibra.rpc.Rpc;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.smallrye.common.annotation.Blocking;
import java.time.Instant;

/**
 * calibra.v1.Admin: teams, keys, grants, quotas, the audit log. Admin-only RPCs check the role first;
 * key and grant management is for people's keys (member, admin), not for the worker services' keys.
 */
@GrpcService
@Blocking
public class AdminGrpcService extends AdminGrpc.AdminImplBase {

    private final Caller caller;
    private final AccessMapper mapper;
    private final TeamService teams;
    private final ApiKeyService keys;
    private final Authenticator authenticator;
    private final AuditLog audit;
    private final ArtifactReferences artifacts;

    public AdminGrpcService(Caller caller, AccessMapper mapper, TeamService teams, ApiKeyService keys, Authenticator authenticator,
            AuditLog audit, ArtifactReferences artifacts) {
        this.caller = caller;
        this.mapper = mapper;
        this.teams = teams;
        this.keys = keys;
        this.authenticator = authenticator;
        this.audit = audit;
        this.artifacts = artifacts;
    }

    @Override
    public void whoAmI(WhoAmIRequest request, StreamObserver<Identity> response) {
        Rpc.unary(response, () -> mapper.identity(caller.identity()));
    }

    @Override
    public void createTeam(CreateTeamRequest request, StreamObserver<CreateTeamResponse> response) {
        Rpc.unary(response, () -> {
            caller.requireAdmin("CreateTeam");
            // The team and its first key commit together: no team without a way in.
            return QuarkusTransaction.requiringNew().call(() -> {
                TeamEntity team = teams.create(request.getName(), request.getMaxRunningJobs(), request.getMaxPendingJobs());
                ApiKeyService.Issued key = keys.issue(team.id, dev.calibra.registry.team.Identity.MEMBER, "first key of " + team.name,
                        request.getKeyTtlSeconds());
                return CreateTeamResponse.newBuilder().setTeam(mapper.team(team)).setApiKey(mapper.apiKey(key.key()))
                        .setSecret(key.secret()).build();
            });
        });
    }

    @Override
    public void listTeams(ListTeamsRequest request, StreamObserver<ListTeamsResponse> response) {
        Rpc.unary(response, () -> {
            caller.requireAdmin("ListTeams");
            return ListTeamsResponse.newBuilder().addAllTeams(teams.list().stream().map(mapper::team).toList()).build();
        });
    }

    @Override
    public void setTeamQuota(SetTeamQuotaRequest request, StreamObserver<Team> response) {
        Rpc.unary(response, () -> {
            caller.requireAdmin("SetTeamQuota");
            return mapper.team(teams.setQuota(request.getTeam(), request.getMaxRunningJobs(), request.getMaxPendingJobs()));
        });
    }

    @Override
    public void createApiKey(CreateApiKeyRequest request, StreamObserver<CreateApiKeyResponse> response) {
        Rpc.unary(response, () -> {
            var who = managingKeys("CreateApiKey");
            String teamId = request.getTeam().isBlank() ? who.keyTeamId() : teams.byName(request.getTeam().strip()).id;
            if (!who.isAdmin() && !teamId.equals(who.keyTeamId())) {
                throw denied("a member key issues keys for its own team only; team '" + request.getTeam() + "' needs an admin key");
            }
            if (!who.isAdmin() && !request.getRole().isBlank() && !request.getRole().strip().equals(dev.calibra.registry.team.Identity.MEMBER)) {
                throw denied("a member key issues member keys only; role '" + request.getRole() + "' needs an admin key");
            }
            ApiKeyService.Issued key = keys.issue(teamId, request.getRole(), request.getName(), request.getTtlSeconds());
            return CreateApiKeyResponse.newBuilder().setApiKey(mapper.apiKey(key.key())).setSecret(key.secret()).build();
        });
    }

    @Override
    public void listApiKeys(ListApiKeysRequest request, StreamObserver<ListApiKeysResponse> response) {
        Rpc.unary(response, () -> {
            var who = managingKeys("ListApiKeys");
            String teamId;
            if (request.getTeam().isBlank()) {
                teamId = who.isAdmin() ? null : who.keyTeamId();
            } else {
                teamId = teams.byName(request.getTeam().strip()).id;
                if (!who.isAdmin() && !teamId.equals(who.keyTeamId())) {
                    throw denied("a member key lists its own team's keys only; team '" + request.getTeam() + "' needs an admin key");
                }
            }
            return ListApiKeysResponse.newBuilder().addAllApiKeys(keys.list(teamId).stream().map(mapper::apiKey).toList()).build();
        });
    }

    @Override
    public void revokeApiKey(RevokeApiKeyRequest request, StreamObserver<ApiKey> response) {
        Rpc.unary(response, () -> {
            ApiKey revoked = mapper.apiKey(keys.revoke(request.getId(), managingKeys("RevokeApiKey")));
            // Committed: this registry refuses the key from now on, other replicas within calibra.auth.cache-ttl.
            authenticator.forget();
            return revoked;
        });
    }

    @Override
    public void grantRead(GrantReadRequest request, StreamObserver<Grant> response) {
        Rpc.unary(response, () -> {
            var who = managingKeys("GrantRead");
            Grant grant = mapper.grant(teams.grantRead(who.teamId(), request.getReaderTeam()));
            authenticator.forget();
            return grant;
        });
    }

    @Override
    public void revokeRead(RevokeReadRequest request, StreamObserver<Grant> response) {
        Rpc.unary(response, () -> {
            var who = managingKeys("RevokeRead");
            Grant grant = mapper.grant(teams.revokeRead(who.teamId(), request.getReaderTeam()));
            // Readers lose access at once here; other replicas within calibra.auth.cache-ttl.
            authenticator.forget();
            return grant;
        });
    }

    @Override
    public void listGrants(ListGrantsRequest request, StreamObserver<ListGrantsResponse> response) {
        Rpc.unary(response, () -> {
            String teamId = caller.teamId();
            return ListGrantsResponse.newBuilder()
                    .addAllGiven(teams.given(teamId).stream().map(mapper::grant).toList())
                    .addAllReceived(teams.received(teamId).stream().map(mapper::grant).toList())
                    .build();
        });
    }

    @Override
    public void queryAudit(QueryAuditRequest request, StreamObserver<QueryAuditResponse> response) {
        Rpc.unary(response, () -> {
            caller.requireAdmin("QueryAudit");
            String teamId = request.getTeam().isBlank() ? null : teams.byName(request.getTeam().strip()).id;
            Instant since = request.hasSince()
                    ? Instant.ofEpochSecond(request.getSince().getSeconds(), request.getSince().getNanos()) : null;
            AuditLog.Page page = audit.query(teamId, request.getMethod(), since, request.getPageToken(), request.getPageSize());
            return QueryAuditResponse.newBuilder()
                    .addAllEntries(page.entries().stream().map(mapper::auditEntry).toList())
                    .setNextPageToken(page.nextPageToken())
                    .build();
        });
    }

    @Override
    public void listArtifactReferences(ListArtifactReferencesRequest request, StreamObserver<ListArtifactReferencesResponse> response) {
        Rpc.unary(response, () -> {
            caller.requireAdmin("ListArtifactReferences");
            return ListArtifactReferencesResponse.newBuilder().addAllUris(artifacts.all())
                    .addAllInFlightPrefixes(artifacts.inFlightPrefixes()).build();
        });
    }

    /** Keys and grants are managed with people's keys; a worker's service key has no business there. */
    private dev.calibra.registry.team.Identity managingKeys(String method) {
        var who = caller.identity();
        if (who.isService()) {
            throw denied(method + " is not open to service keys (key " + who.keyId() + "); use a member or admin key");
        }
        return who;
    }

    private static CalibraException denied(String sentence) {
        return new CalibraException(CalibraException.Kind.PERMISSION_DENIED, sentence);
    }
}

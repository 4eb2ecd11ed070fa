package dev.calibra.registry.grpc;

import dev.calibra.proto.v1.ApiKey;
import dev.calibra.proto.v1.AuditEntry;
import dev.calibra.proto.v1.Grant;
import dev.calibra.proto.v1.Identity;
import dev.calibra.proto.v1.Team;
import dev.calibra.registry.audit.AuditEntryEntity;
import dev.calibra.registry.auth.ApiKeyEntity;
import dev.calibra.registry.support.Times;
import dev.calibra.registry.team.Caller;
import dev.calibra.registry.team.ReadGrantEntity;
import dev.calibra.registry.team.TeamEntity;
import jakarta.enterprise.context.ApplicationScoped;

/** Teams, keys, grants and audit rows to their calibra.v1 messages. Key secrets are never stored, so never mapped. */
@ApplicationScoped
public class AccessMapper {

    private final Caller caller;

    public AccessMapper(Caller caller) {
        this.caller = caller;
    }

    public Team team(TeamEntity row) {
        return Team.newBuilder().setId(row.id).setName(row.name).setMaxRunningJobs(row.maxRunningJobs).setMaxPendingJobs(row.maxPendingJobs)
                .setCreatedAt(Times.of(row.createdAt)).build();
    }

    public ApiKey apiKey(ApiKeyEntity row) {
        ApiKey.Builder key = ApiKey.newBuilder().setId(row.id).setTeam(caller.teamName(row.teamId)).setRole(row.role)
                .setName(row.name).setPrefix(row.prefix).setCreatedAt(Times.of(row.createdAt));
        if (row.expiresAt != null) {
            key.setExpiresAt(Times.of(row.expiresAt));
        }
        if (row.revokedAt != null) {
            key.setRevokedAt(Times.of(row.revokedAt));
        }
        return key.build();
    }

    public Grant grant(ReadGrantEntity row) {
        return Grant.newBuilder().setOwnerTeam(caller.teamName(row.ownerTeamId)).setReaderTeam(caller.teamName(row.readerTeamId))
                .setCreatedAt(Times.of(row.createdAt)).build();
    }

    public Identity identity(dev.calibra.registry.team.Identity identity) {
        return Identity.newBuilder().setTeam(identity.teamName()).setRole(identity.role()).setKeyId(identity.keyId()).build();
    }

    public AuditEntry auditEntry(AuditEntryEntity row) {
        return AuditEntry.newBuilder().setId(row.id).setAt(Times.of(row.at))
                .setTeam(row.teamId == null ? "" : caller.teamName(row.teamId)).setKeyId(row.keyId).setRole(row.role)
                .setMethod(row.method).setTarget(row.target).setOutcome(row.outcome).setDetail(row.detail).build();
    }
}

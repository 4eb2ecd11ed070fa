package dev.calibra.registry.auth;

import dev.calibra.registry.support.Checks;
import dev.calibra.registry.support.Ids;
import dev.calibra.registry.support.Times;
import dev.calibra.registry.team.Identity;
import dev.calibra.rpc.CalibraException;
import dev.calibra.rpc.auth.ApiKeys;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.util.List;

/** Issues, lists and revokes API keys. Secrets leave only in the answer to their creation. */
@ApplicationScoped
public class ApiKeyService {

    /** A new key and its secret, which is not stored anywhere. */
    public record Issued(ApiKeyEntity key, String secret) {}

    @Transactional
    public Issued issue(String teamId, String role, String name, long ttlSeconds) {
        if (ttlSeconds < 0) {
            throw CalibraException.invalidArgument("ttl_seconds must be >= 0 (0 = never expires), got " + ttlSeconds);
        }
        String secret = ApiKeys.newSecret();
        ApiKeyEntity key = insert(teamId, role(role), name, secret);
        key.expiresAt = ttlSeconds == 0 ? null : key.createdAt.plusSeconds(ttlSeconds);
        key.persist();
        return new Issued(key, secret);
    }

    /**
     * A configured key (the local stack's bootstrap keys): added once, found by its hash afterwards. A
     * configured secret that was revoked stays revoked (the row is returned as it is): a new secret replaces it.
     */
    @Transactional
    public ApiKeyEntity ensure(String teamId, String role, String name, String secret) {
        ApiKeyEntity existing = ApiKeyEntity.find("keySha256", ApiKeys.sha256(secret)).firstResult();
        if (existing != null) {
            return existing;
        }
        ApiKeyEntity key = insert(teamId, role, name, secret);
        key.persist();
        return key;
    }

    /** Keys of one team, or of every team when teamId is null; newest first. */
    public List<ApiKeyEntity> list(String teamId) {
        return teamId == null ? ApiKeyEntity.list("order by id desc") : ApiKeyEntity.list("teamId = ?1 order by id desc", teamId);
    }

    /**
     * Admins revoke any key, members their own team's member keys (an admin or service key of their team
     * would lock out its administrators or every worker); revoking twice keeps the first time. The caller
     * clears the authentication cache once this has committed.
     */
    @Transactional
    public ApiKeyEntity revoke(String id, Identity caller) {
        Checks.required(id, "id");
        ApiKeyEntity key = ApiKeyEntity.findById(id, jakarta.persistence.LockModeType.PESSIMISTIC_WRITE);
        if (key == null || !(caller.isAdmin() || key.teamId.equals(caller.keyTeamId()))) {
            throw CalibraException.notFound("API key " + id + " does not exist");
        }
        if (!caller.isAdmin() && !Identity.MEMBER.equals(key.role)) {
            throw new CalibraException(CalibraException.Kind.PERMISSION_DENIED, "a member key revokes member keys only; key "
                    + id + " has role " + key.role + " and needs an admin key to revoke");
        }
        if (key.revokedAt == null) {
            key.revokedAt = Times.now();
        }
        return key;
    }

    static String role(String requested) {
        String role = requested == null || requested.isBlank() ? Identity.MEMBER : requested.strip();
        if (!Identity.ROLES.contains(role)) {
            throw CalibraException.invalidArgument("role '" + role + "' is not one of member, admin, service");
        }
        return role;
    }

    private static ApiKeyEntity insert(String teamId, String role, String name, String secret) {
        ApiKeyEntity key = new ApiKeyEntity();
        key.id = Ids.next("key");
        key.teamId = teamId;
        key.role = role;
        key.name = name == null ? "" : name.strip();
        key.prefix = ApiKeys.prefix(secret);
        key.keySha256 = ApiKeys.sha256(secret);
        key.createdAt = Times.now();
        return key;
    }
}

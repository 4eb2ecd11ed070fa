package dev.calibra.registry.auth;

import dev.calibra.registry.team.Identity;
import dev.calibra.registry.team.TeamScope;
import dev.calibra.rpc.CalibraException;
import dev.calibra.rpc.auth.ApiKeys;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Secrets to identities: one indexed lookup (api_key by sha256, with its team's name and the read
 * grants it received), kept for at most {@code calibra.auth.cache-ttl} so that a busy client does not
 * cost a query per call. Expiry is checked at every call; revocations and grant changes made through
 * this registry clear the cache at once, those made through another replica reach this one within
 * the TTL. Unknown secrets are never cached.
 */
@ApplicationScoped
public class Authenticator {

    private static final String KEY_LOOKUP = """
            SELECT k.id, k.team_id, k.role, k.expires_at, k.revoked_at, t.name,
                   array_to_string(ARRAY(SELECT g.owner_team_id FROM read_grant g WHERE g.reader_team_id = k.team_id), ',')
            FROM api_key k JOIN team t ON t.id = k.team_id
            WHERE k.key_sha256 = :hash""";

    private static final String TEAM_LOOKUP = """
            SELECT t.id, t.name,
                   array_to_string(ARRAY(SELECT g.owner_team_id FROM read_grant g WHERE g.reader_team_id = t.id), ',')
            FROM team t WHERE t.name = :name""";

    private record KeyRow(String id, String teamId, String role, Instant expiresAt, Instant revokedAt, Team team) {}

    private record Team(String id, String name, Set<String> readable) {}

    private record Cached<T>(T value, long loadedAtNanos) {}

    private final EntityManager entityManager;
    private final long ttlNanos;
    private final Map<String, Cached<KeyRow>> keysByHash = new ConcurrentHashMap<>();
    private final Map<String, Cached<Team>> teamsByName = new ConcurrentHashMap<>();
    // Bumped by forget(): a lookup that started before it must not put back what it read.
    private final AtomicLong generation = new AtomicLong();

    public Authenticator(EntityManager entityManager, @ConfigProperty(name = "calibra.auth.cache-ttl") Duration ttl) {
        this.entityManager = entityManager;
        this.ttlNanos = ttl.toNanos();
    }

    /**
     * The identity of a secret. UNAUTHENTICATED for unknown, revoked and expired keys (saying which);
     * NOT_FOUND when a service key acts for a team that does not exist.
     *
     * @param actingTeam the `calibra-team` metadata, or null; honoured for service keys only
     */
    public Identity authenticate(String secret, String actingTeam) {
        KeyRow key = cached(keysByHash, ApiKeys.sha256(secret), this::loadKey)
                .orElseThrow(() -> unauthenticated("the API key is not known to this registry (check CALIBRA_API_KEY)"));
        Instant now = Instant.now();
        if (key.revokedAt() != null) {
            throw unauthenticated("the API key " + key.id() + " was revoked at " + key.revokedAt());
        }
        if (key.expiresAt() != null && !now.isBefore(key.expiresAt())) {
            throw unauthenticated("the API key " + key.id() + " expired at " + key.expiresAt());
        }
        Team team = key.team();
        if (Identity.SERVICE.equals(key.role()) && actingTeam != null && !actingTeam.isBlank()) {
            String name = actingTeam.strip();
            team = cached(teamsByName, name, this::loadTeam)
                    .orElseThrow(() -> CalibraException.notFound("team '" + name + "' named by metadata calibra-team does not exist"));
        }
        Set<String> readable = new HashSet<>(team.readable());
        readable.add(team.id());
        return new Identity(key.id(), key.role(), key.teamId(), team.name(), new TeamScope(team.id(), readable));
    }

    /**
     * The identity a long-lived call holds (a watch stream), read again: UNAUTHENTICATED once its key is revoked
     * or expired, and a scope that follows grants given or taken since the call began.
     */
    public Identity refresh(Identity identity) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = QuarkusTransaction.requiringNew().call(() -> entityManager.createNativeQuery(
                "SELECT k.revoked_at, k.expires_at FROM api_key k WHERE k.id = :id").setParameter("id", identity.keyId())
                .getResultList());
        if (rows.isEmpty()) {
            throw unauthenticated("the API key " + identity.keyId() + " no longer exists");
        }
        Instant revokedAt = instant(rows.get(0)[0]);
        Instant expiresAt = instant(rows.get(0)[1]);
        if (revokedAt != null) {
            throw unauthenticated("the API key " + identity.keyId() + " was revoked at " + revokedAt);
        }
        if (expiresAt != null && !Instant.now().isBefore(expiresAt)) {
            throw unauthenticated("the API key " + identity.keyId() + " expired at " + expiresAt);
        }
        Team team = cached(teamsByName, identity.teamName(), this::loadTeam)
                .orElseThrow(() -> CalibraException.notFound("team '" + identity.teamName() + "' no longer exists"));
        Set<String> readable = new HashSet<>(team.readable());
        readable.add(team.id());
        return new Identity(identity.keyId(), identity.role(), identity.keyTeamId(), team.name(), new TeamScope(team.id(), readable));
    }

    /** Drops every cached lookup: call it after a revocation or a grant change has committed. */
    public void forget() {
        generation.incrementAndGet();
        keysByHash.clear();
        teamsByName.clear();
    }

    private <T> Optional<T> cached(Map<String, Cached<T>> cache, String key, java.util.function.Function<String, Optional<T>> load) {
        long now = System.nanoTime();
        Cached<T> hit = cache.get(key);
        if (hit != null && now - hit.loadedAtNanos() < ttlNanos) {
            return Optional.of(hit.value());
        }
        long seen = generation.get();
        Optional<T> loaded = QuarkusTransaction.requiringNew().call(() -> load.apply(key));
        if (ttlNanos > 0 && generation.get() == seen) {
            loaded.ifPresentOrElse(value -> cache.put(key, new Cached<>(value, now)), () -> cache.remove(key));
        }
        return loaded;
    }

    private Optional<KeyRow> loadKey(String hash) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = entityManager.createNativeQuery(KEY_LOOKUP).setParameter("hash", hash).getResultList();
        return rows.stream().findFirst().map(r -> new KeyRow((String) r[0], (String) r[1], (String) r[2], instant(r[3]),
                instant(r[4]), new Team((String) r[1], (String) r[5], ids((String) r[6]))));
    }

    private Optional<Team> loadTeam(String name) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = entityManager.createNativeQuery(TEAM_LOOKUP).setParameter("name", name).getResultList();
        return rows.stream().findFirst().map(r -> new Team((String) r[0], (String) r[1], ids((String) r[2])));
    }

    private static Set<String> ids(String joined) {
        return joined == null || joined.isEmpty() ? Set.of() : Set.copyOf(Arrays.asList(joined.split(",")));
    }

    private static Instant instant(Object value) {
        if (value == null || value instanceof Instant) {
            return (Instant) value;
        }
        if (value instanceof OffsetDateTime offset) {
            return offset.toInstant();
        }
        if (value instanceof Timestamp timestamp) {
            return timestamp.toInstant();
        }
        throw new IllegalStateException("unexpected timestamp type " + value.getClass().getName());
    }

    private static CalibraException unauthenticated(String sentence) {
        return new CalibraException(CalibraException.Kind.UNAUTHENTICATED, sentence);
    }
}

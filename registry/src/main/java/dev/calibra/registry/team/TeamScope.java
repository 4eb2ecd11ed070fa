package dev.calibra.registry.team;

import dev.calibra.rpc.CalibraException;
import io.quarkus.panache.common.Parameters;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Query;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The records a call may touch: it changes only {@code teamId}'s and reads those of
 * {@code readableTeamIds} (its own team and every team that granted it read).
 */
public record TeamScope(String teamId, Set<String> readableTeamIds) {

    public TeamScope {
        if (!readableTeamIds.contains(teamId)) {
            throw new IllegalArgumentException("a team can always read its own records; " + teamId + " is missing");
        }
        readableTeamIds = Set.copyOf(readableTeamIds);
    }

    public static TeamScope only(String teamId) {
        return new TeamScope(teamId, Set.of(teamId));
    }

    public boolean canRead(String ownerTeamId) {
        return readableTeamIds.contains(ownerTeamId);
    }

    public boolean owns(String ownerTeamId) {
        return teamId.equals(ownerTeamId);
    }

    /**
     * {@code teamId in (:team0, :team1, ...)}, one scalar parameter per readable team (bound by
     * {@link #readableParameters}). A collection-valued parameter would make Hibernate translate the query to SQL
     * again at every call (its interpretation is not cached); scalar ones let one translation serve every
     * scope with as many teams.
     */
    public String readableClause() {
        return readableIn("teamId");
    }

    private String readableIn(String column) {
        StringBuilder clause = new StringBuilder(column).append(" in (");
        for (int i = 0; i < readableTeamIds.size(); i++) {
            clause.append(i == 0 ? ":team" : ", :team").append(i);
        }
        return clause.append(')').toString();
    }

    /** The parameters of {@link #readableClause}; add a query's own with {@code and}. */
    public Parameters readableParameters() {
        Parameters parameters = new Parameters();
        int i = 0;
        for (String team : readableTeamIds) {
            parameters.and("team" + i++, team);
        }
        return parameters;
    }

    /**
     * The record a key names, of {@code type} in {@code table} (columns id, team_id, name): an id matches exactly in
     * any readable team; a name matches only the caller's own team, or the team it is qualified with
     * ({@code team/name}), so a team that grants read cannot shadow a name the reader uses. Plain SQL because this
     * is the registry's hottest query, and Hibernate translated its HQL form again at every call (12-17% of the
     * registry's CPU under load); the best of the (at most three) matches is picked here.
     */
    public <E> Optional<E> lookup(EntityManager entityManager, String table, Class<E> type, String idOrName,
            Function<E, String> idOf, Function<E, String> teamOf) {
        // One index lookup per branch: an OR over the branches made PostgreSQL scan every record of the
        // readable teams (by team_id) and filter, which grew with the team's models.
        int slash = idOrName.indexOf('/');
        String sql = "SELECT * FROM " + table + " WHERE id = :key AND " + readableIn("team_id")
                + " UNION ALL SELECT * FROM " + table + " WHERE team_id = :own AND name = :key";
        Parameters parameters = readableParameters().and("key", idOrName).and("own", teamId);
        if (slash > 0) {
            sql += " UNION ALL SELECT r.* FROM " + table + " r JOIN team t ON t.id = r.team_id"
                    + " WHERE t.name = :qualifiedTeam AND r.name = :qualifiedName AND " + readableIn("r.team_id");
            parameters.and("qualifiedTeam", idOrName.substring(0, slash)).and("qualifiedName", idOrName.substring(slash + 1));
        }
        Query query = entityManager.createNativeQuery(sql, type);
        parameters.map().forEach(query::setParameter);
        @SuppressWarnings("unchecked")
        List<E> matches = query.getResultList();
        E best = null;
        int bestRank = Integer.MAX_VALUE;
        for (E match : matches) {
            // the record with that id, else the own team's of that name, else the qualified one
            int rank = idOf.apply(match).equals(idOrName) ? 0 : teamOf.apply(match).equals(teamId) ? 1 : 2;
            if (rank < bestRank) {
                best = match;
                bestRank = rank;
            }
        }
        return Optional.ofNullable(best);
    }

    /**
     * Refuses a change to a record of another team: NOT_FOUND when the caller cannot even read it (so
     * its existence does not leak), PERMISSION_DENIED when a read grant shows it.
     *
     * @param record the record as sentences name it, e.g. "model mdl-1"
     * @param notFoundSentence the answer when the caller cannot read it, the same as for a missing record
     */
    public void checkChange(String ownerTeamId, String record, String notFoundSentence) {
        if (!canRead(ownerTeamId)) {
            throw CalibraException.notFound(notFoundSentence);
        }
        if (!owns(ownerTeamId)) {
            throw new CalibraException(CalibraException.Kind.PERMISSION_DENIED, record
                    + " belongs to another team, whose read grant lets this team read it but not change it");
        }
    }
}

package dev.calibra.registry.team;

import dev.calibra.rpc.CalibraException;
import io.quarkus.panache.common.Parameters;
import java.util.List;
import java.util.Set;

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
     * How a key names a record: an id matches exactly in any readable team; a name matches only the caller's own
     * team, or the team it is qualified with ({@code team/name}), so a team that grants read cannot shadow a
     * name the reader uses. Query text for {@code find}, with {@link #lookupParameters}.
     */
    public static final String LOOKUP = "teamId in :teams and (id = :key or (teamId = :own and name = :key)"
            + " or (name = :qualifiedName and teamId in (select t.id from TeamEntity t where t.name = :qualifiedTeam)))"
            + " order by case when id = :key then 0 when teamId = :own then 1 else 2 end";

    public Parameters lookupParameters(String idOrName) {
        int slash = idOrName.indexOf('/');
        // No team has an empty name: an unqualified key matches no qualified branch.
        String team = slash > 0 ? idOrName.substring(0, slash) : "";
        String name = slash > 0 ? idOrName.substring(slash + 1) : "";
        return Parameters.with("teams", readable()).and("key", idOrName).and("own", teamId)
                .and("qualifiedTeam", team).and("qualifiedName", name);
    }

    /** For queries: {@code teamId in :teams}. */
    public List<String> readable() {
        return List.copyOf(readableTeamIds);
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

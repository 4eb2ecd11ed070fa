package dev.calibra.registry.team;

import dev.calibra.rpc.CalibraException;
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

package dev.calibra.registry.team;

import dev.calibra.registry.support.Checks;
import dev.calibra.registry.support.Ids;
import dev.calibra.registry.support.Times;
import dev.calibra.rpc.CalibraException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.PersistenceException;
import jakarta.transaction.Transactional;
import java.util.List;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Teams, their running-job quotas and the read grants between them. */
@ApplicationScoped
public class TeamService {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,63}");

    private final int defaultMaxRunningJobs;

    public TeamService(@ConfigProperty(name = "calibra.jobs.default-team-max-running") int defaultMaxRunningJobs) {
        if (defaultMaxRunningJobs < 0) {
            throw new IllegalArgumentException("calibra.jobs.default-team-max-running must be >= 0, got " + defaultMaxRunningJobs);
        }
        this.defaultMaxRunningJobs = defaultMaxRunningJobs;
    }

    /** A new team; a requested limit of 0 takes the configured default (itself 0, no limit, unless set). */
    @Transactional
    public TeamEntity create(String name, int maxRunningJobs, int maxPendingJobs) {
        String checked = checkName(name, "name");
        checkLimit(maxRunningJobs);
        checkPending(maxPendingJobs);
        if (TeamEntity.find("name", checked).firstResultOptional().isPresent()) {
            throw CalibraException.alreadyExists("a team named '" + checked + "' already exists");
        }
        TeamEntity team = new TeamEntity();
        team.id = Ids.next("team");
        team.name = checked;
        team.maxRunningJobs = maxRunningJobs > 0 ? maxRunningJobs : defaultMaxRunningJobs;
        team.maxPendingJobs = maxPendingJobs;
        team.createdAt = Times.now();
        try {
            team.persistAndFlush();
        } catch (PersistenceException raced) {
            throw CalibraException.alreadyExists("a team named '" + checked + "' already exists");
        }
        return team;
    }

    public List<TeamEntity> list() {
        return TeamEntity.<TeamEntity>listAll().stream().sorted((a, b) -> a.name.compareTo(b.name)).toList();
    }

    @Transactional
    public TeamEntity setQuota(String name, int maxRunningJobs, int maxPendingJobs) {
        checkLimit(maxRunningJobs);
        checkPending(maxPendingJobs);
        TeamEntity team = byName(Checks.required(name, "team"));
        team.maxRunningJobs = maxRunningJobs;
        team.maxPendingJobs = maxPendingJobs;
        return team;
    }

    public TeamEntity byName(String name) {
        return TeamEntity.<TeamEntity>find("name", name).firstResultOptional()
                .orElseThrow(() -> CalibraException.notFound("team '" + name + "' does not exist"));
    }

    public TeamEntity byId(String id) {
        TeamEntity team = TeamEntity.findById(id);
        if (team == null) {
            throw CalibraException.notFound("team " + id + " does not exist");
        }
        return team;
    }

    /** Lets readerName read ownerTeamId's records; granting twice returns the first grant. */
    @Transactional
    public ReadGrantEntity grantRead(String ownerTeamId, String readerName) {
        TeamEntity reader = byName(Checks.required(readerName, "reader_team"));
        if (reader.id.equals(ownerTeamId)) {
            throw CalibraException.invalidArgument("reader_team '" + reader.name + "' is the caller's own team, which reads its records already");
        }
        ReadGrantEntity existing = ReadGrantEntity.find("ownerTeamId = ?1 and readerTeamId = ?2", ownerTeamId, reader.id).firstResult();
        if (existing != null) {
            return existing;
        }
        // ON CONFLICT: two concurrent grants of the same pair both succeed.
        ReadGrantEntity.getEntityManager().createNativeQuery("""
                INSERT INTO read_grant (owner_team_id, reader_team_id, created_at) VALUES (:owner, :reader, :at)
                ON CONFLICT (owner_team_id, reader_team_id) DO NOTHING""")
                .setParameter("owner", ownerTeamId).setParameter("reader", reader.id).setParameter("at", Times.now())
                .executeUpdate();
        return ReadGrantEntity.find("ownerTeamId = ?1 and readerTeamId = ?2", ownerTeamId, reader.id).firstResult();
    }

    @Transactional
    public ReadGrantEntity revokeRead(String ownerTeamId, String readerName) {
        TeamEntity reader = byName(Checks.required(readerName, "reader_team"));
        ReadGrantEntity grant = ReadGrantEntity.find("ownerTeamId = ?1 and readerTeamId = ?2", ownerTeamId, reader.id).firstResult();
        if (grant == null) {
            throw CalibraException.notFound("team '" + reader.name + "' has no read grant from this team");
        }
        grant.delete();
        return grant;
    }

    public List<ReadGrantEntity> given(String ownerTeamId) {
        return ReadGrantEntity.list("ownerTeamId = ?1 order by createdAt", ownerTeamId);
    }

    public List<ReadGrantEntity> received(String readerTeamId) {
        return ReadGrantEntity.list("readerTeamId = ?1 order by createdAt", readerTeamId);
    }

    static String checkName(String name, String field) {
        String value = name == null ? "" : name.strip();
        if (!NAME.matcher(value).matches()) {
            throw CalibraException.invalidArgument(field + " '" + value
                    + "' is not a team name: 1-64 characters of a-z, 0-9 and '-', starting with a letter");
        }
        return value;
    }

    private static void checkPending(int maxPendingJobs) {
        if (maxPendingJobs < 0) {
            throw CalibraException.invalidArgument("max_pending_jobs must be >= 0 (0 = the registry's default), got " + maxPendingJobs);
        }
    }

    private static void checkLimit(int maxRunningJobs) {
        if (maxRunningJobs < 0) {
            throw CalibraException.invalidArgument("max_running_jobs must be >= 0 (0 = no limit), got " + maxRunningJobs);
        }
    }
}

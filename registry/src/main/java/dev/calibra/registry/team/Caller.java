package dev.calibra.registry.team;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who is calling. Until API keys exist every call acts for the default team; authentication will
 * resolve the team from the call's credentials here, and nothing else has to change.
 */
@ApplicationScoped
public class Caller {

    public static final String DEFAULT_TEAM_ID = "team-default";

    private final Map<String, String> namesById = new ConcurrentHashMap<>();

    public String teamId() {
        return DEFAULT_TEAM_ID;
    }

    /** A team's name, for the `team` field of records (team names never change). */
    public String teamName(String teamId) {
        return namesById.computeIfAbsent(teamId, id -> {
            TeamEntity team = TeamEntity.findById(id);
            return team == null ? id : team.name;
        });
    }
}

package dev.calibra.registry.team;

import java.util.Set;

/**
 * Who a call is: the key used (id, role, the key's own team) and the team the call acts for, which is
 * the key's team unless a service key names another in `calibra-team`.
 */
public record Identity(String keyId, String role, String keyTeamId, String teamName, TeamScope scope) {

    public static final String MEMBER = "member";
    public static final String ADMIN = "admin";
    public static final String SERVICE = "service";
    public static final Set<String> ROLES = Set.of(MEMBER, ADMIN, SERVICE);

    public String teamId() {
        return scope.teamId();
    }

    public boolean isAdmin() {
        return ADMIN.equals(role);
    }

    /** The worker services' role: claims and runs every team's jobs. */
    public boolean isService() {
        return SERVICE.equals(role);
    }
}

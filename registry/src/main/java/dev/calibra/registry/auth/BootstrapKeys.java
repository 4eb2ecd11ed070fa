package dev.calibra.registry.auth;

import dev.calibra.registry.team.Caller;
import dev.calibra.registry.team.Identity;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The keys a deployment starts with: calibra.auth.admin-key (CALIBRA_ADMIN_KEY) becomes an admin key
 * and calibra.auth.service-key (CALIBRA_SERVICE_KEY) a service key, both of the default team, added
 * once (found by hash afterwards). The local stack generates both secrets on its first start.
 */
@ApplicationScoped
public class BootstrapKeys {

    private static final Logger LOG = Logger.getLogger(BootstrapKeys.class);

    private final ApiKeyService keys;
    private final Optional<String> adminKey;
    private final Optional<String> serviceKey;

    public BootstrapKeys(ApiKeyService keys, @ConfigProperty(name = "calibra.auth.admin-key") Optional<String> adminKey,
            @ConfigProperty(name = "calibra.auth.service-key") Optional<String> serviceKey) {
        this.keys = keys;
        this.adminKey = adminKey.map(String::strip).filter(secret -> !secret.isEmpty());
        this.serviceKey = serviceKey.map(String::strip).filter(secret -> !secret.isEmpty());
    }

    void onStart(@Observes StartupEvent start) {
        adminKey.ifPresent(secret -> ensure(Identity.ADMIN, "bootstrap-admin", secret));
        serviceKey.ifPresent(secret -> ensure(Identity.SERVICE, "bootstrap-service", secret));
        if (adminKey.isEmpty() && serviceKey.isEmpty()) {
            LOG.info("no bootstrap keys configured (CALIBRA_ADMIN_KEY, CALIBRA_SERVICE_KEY): only existing keys are accepted");
        }
    }

    private void ensure(String role, String name, String secret) {
        // The id, never the secret, goes to the log.
        ApiKeyEntity key = keys.ensure(Caller.DEFAULT_TEAM_ID, role, name, secret);
        if (key.revokedAt != null) {
            LOG.errorf("the configured bootstrap %s key %s was revoked at %s and stays revoked: configure a new secret", role,
                    key.id, key.revokedAt);
        } else {
            LOG.infof("bootstrap %s key of team default: %s", role, key.id);
        }
    }
}

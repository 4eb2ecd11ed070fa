package dev.calibra.cli;

import dev.calibra.cli.stack.StackConfig;
import dev.calibra.cli.stack.StackKeys;
import dev.calibra.cli.stack.StackState;
import dev.calibra.rpc.Channels;
import dev.calibra.rpc.auth.CallerCredentials;
import io.grpc.ManagedChannel;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Channels to the services the CLI talks to. Addresses come from CALIBRA_REGISTRY,
 * CALIBRA_CALIBRATION, CALIBRA_COMPRESSION, CALIBRA_EVALUATION when set, else from the local
 * stack's state file, else the default local ports. Calls carry CALIBRA_API_KEY, else the local stack's
 * admin key.
 */
public final class Services implements AutoCloseable {

    private final Map<String, String> addresses = new LinkedHashMap<>();
    private final Map<String, ManagedChannel> channels = new LinkedHashMap<>();
    private final CallerCredentials credentials;

    public Services(StackConfig config, Map<String, String> env) {
        StackState state = StackState.read(config.stateFile()).orElse(null);
        for (StackConfig.ServiceSpec service : StackConfig.SERVICES) {
            String fromEnv = env.get("CALIBRA_" + service.name().toUpperCase(java.util.Locale.ROOT));
            String fromState = state == null || state.services().get(service.name()) == null ? null
                    : state.services().get(service.name()).address();
            addresses.put(service.name(), fromEnv != null ? fromEnv
                    : fromState != null ? fromState : config.host() + ":" + config.portOf(service));
        }
        credentials = new CallerCredentials(StackKeys.forClient(config, env));
    }

    public String address(String service) {
        return addresses.get(service);
    }

    public ManagedChannel channel(String service) {
        return channels.computeIfAbsent(service, name -> Channels.open(addresses.get(name), credentials));
    }

    @Override
    public void close() {
        channels.values().forEach(Channels::close);
    }
}

package dev.calibra.registry;

import dev.calibra.rpc.auth.ApiKeys;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The injected test clients (@GrpcClient) call as the bootstrap admin of team default, the
 * %test.calibra.auth.admin-key of application.properties, unless a call already carries a key.
 */
@ApplicationScoped
@GlobalInterceptor
public class TestKeys implements ClientInterceptor {

    @ConfigProperty(name = "calibra.auth.admin-key") String adminKey;

    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
            @Override
            public void start(Listener<R> listener, Metadata headers) {
                if (!headers.containsKey(ApiKeys.AUTHORIZATION)) {
                    headers.put(ApiKeys.AUTHORIZATION, "Bearer " + adminKey);
                }
                super.start(listener, headers);
            }
        };
    }
}

package dev.calibra.runtime.registry;

import dev.calibra.rpc.auth.KeyCheckingInterceptor;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.context.ApplicationScoped;

/** Every call to this service needs a key the registry accepts; the key is forwarded on registry calls. */
@ApplicationScoped
@GlobalInterceptor
public class ApiKeyCheck implements ServerInterceptor {

    private final KeyCheckingInterceptor check;

    public ApiKeyCheck(RegistryClients clients) {
        this.check = new KeyCheckingInterceptor(clients::verifyKey);
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        return check.interceptCall(call, headers, next);
    }
}

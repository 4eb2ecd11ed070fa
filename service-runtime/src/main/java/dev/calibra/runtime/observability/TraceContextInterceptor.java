package dev.calibra.runtime.observability;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapSetter;

/**
 * Puts the current trace context on outgoing calls as W3C traceparent metadata. Quarkus traces only its
 * own gRPC clients; the registry channel is a plain grpc-java channel (dev.calibra.rpc.Channels), so
 * without this a job's registry calls would start new traces instead of joining the job's.
 */
public final class TraceContextInterceptor implements ClientInterceptor {

    public static final TraceContextInterceptor INSTANCE = new TraceContextInterceptor();

    private static final TextMapSetter<Metadata> INTO_METADATA =
            (headers, key, value) -> headers.put(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER), value);

    private TraceContextInterceptor() {}

    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        Context context = Context.current();  // the caller's, captured on the calling thread
        return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
            @Override
            public void start(Listener<R> listener, Metadata headers) {
                W3CTraceContextPropagator.getInstance().inject(context, headers, INTO_METADATA);
                super.start(listener, headers);
            }
        };
    }
}

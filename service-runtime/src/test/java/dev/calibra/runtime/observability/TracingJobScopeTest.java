package dev.calibra.runtime.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.calibra.proto.v1.Job;
import dev.calibra.proto.v1.JobType;
import dev.calibra.rpc.Channels;
import dev.calibra.runtime.worker.JobStoppedException;
import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.MDC;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The job scope with the real OpenTelemetry SDK: spans kept in memory, a real gRPC server for propagation. */
class TracingJobScopeTest {

    static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    static final String SUBMITTER_SPAN_ID = "00f067aa0ba902b7";
    static final String TRACE_PARENT = "00-" + TRACE_ID + "-" + SUBMITTER_SPAN_ID + "-01";

    final List<SpanData> finished = new CopyOnWriteArrayList<>();
    SdkTracerProvider tracing;
    SimpleMeterRegistry meters;
    TracingJobScope scope;

    @BeforeEach
    void setUp() {
        tracing = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(new SpanExporter() {
            @Override
            public CompletableResultCode export(Collection<SpanData> spans) {
                finished.addAll(spans);
                return CompletableResultCode.ofSuccess();
            }

            @Override
            public CompletableResultCode flush() {
                return CompletableResultCode.ofSuccess();
            }

            @Override
            public CompletableResultCode shutdown() {
                return CompletableResultCode.ofSuccess();
            }
        })).build();
        meters = new SimpleMeterRegistry();
        scope = new TracingJobScope(tracing.get("test"), meters);
    }

    @AfterEach
    void tearDown() {
        tracing.close();
    }

    static Job job(String traceParent) {
        return Job.newBuilder().setId("job-0001").setType(JobType.JOB_TYPE_CALIBRATE).setAttempts(1).setTraceParent(traceParent).build();
    }

    @Test
    void run_continuesTheSubmittersTrace() throws Exception {
        AtomicReference<String> traceInside = new AtomicReference<>();

        String result = scope.run(job(TRACE_PARENT), () -> {
            traceInside.set(Span.current().getSpanContext().getTraceId());
            return "done";
        });

        assertEquals("done", result);
        assertEquals(TRACE_ID, traceInside.get(), "the job's span is current while it runs");
        assertEquals(1, finished.size());
        SpanData span = finished.get(0);
        assertEquals("job CALIBRATE", span.getName());
        assertEquals(TRACE_ID, span.getTraceId());
        assertEquals(SUBMITTER_SPAN_ID, span.getParentSpanId());
        assertEquals("job-0001", span.getAttributes().get(AttributeKey.stringKey("calibra.job.id")));
        assertEquals("succeeded", span.getAttributes().get(AttributeKey.stringKey("calibra.job.outcome")));
        assertEquals(1, meters.get("calibra.job.run").tags("type", "CALIBRATE", "outcome", "succeeded").timer().count());
    }

    @Test
    void run_putsTheJobAndTraceIntoTheLogContextOnlyWhileItRuns() throws Exception {
        List<Object> inside = new ArrayList<>();

        scope.run(job(TRACE_PARENT), () -> {
            inside.add(MDC.get("job_id"));
            inside.add(MDC.get("traceId"));
            return null;
        });

        assertEquals(List.of("job-0001", TRACE_ID), inside);
        assertNull(MDC.get("job_id"));
        assertNull(MDC.get("traceId"));
    }

    @Test
    void run_withoutTraceParent_startsANewTrace() throws Exception {
        scope.run(job(""), () -> null);

        SpanData span = finished.get(0);
        assertTrue(span.getSpanContext().isValid());
        assertNotEquals(TRACE_ID, span.getTraceId());
        assertFalse(span.getParentSpanContext().isValid(), "a root span");
    }

    @Test
    void run_failingJob_recordsTheErrorAndRethrows() {
        IllegalStateException thrown = assertThrows(IllegalStateException.class,
                () -> scope.run(job(TRACE_PARENT), () -> {
                    throw new IllegalStateException("artifact store full");
                }));

        assertEquals("artifact store full", thrown.getMessage());
        SpanData span = finished.get(0);
        assertEquals(StatusCode.ERROR, span.getStatus().getStatusCode());
        assertEquals("failed", span.getAttributes().get(AttributeKey.stringKey("calibra.job.outcome")));
        assertEquals(1, meters.get("calibra.job.run").tags("type", "CALIBRATE", "outcome", "failed").timer().count());
        assertNull(MDC.get("job_id"));
    }

    @Test
    void run_stoppedJob_isNotAnError() {
        assertThrows(JobStoppedException.class, () -> scope.run(job(TRACE_PARENT), () -> {
            throw new JobStoppedException("cancelled");
        }));

        assertEquals(StatusCode.UNSET, finished.get(0).getStatus().getStatusCode());
        assertEquals(1, meters.get("calibra.job.run").tags("type", "CALIBRATE", "outcome", "stopped").timer().count());
    }

    @Test
    void outgoingCallsInsideTheJob_carryItsTrace() throws Exception {
        AtomicReference<String> received = new AtomicReference<>();
        Metadata.Key<String> traceparent = Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER);
        ServerInterceptor capture = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                received.set(headers.get(traceparent));
                return next.startCall(call, headers);
            }
        };
        HealthGrpc.HealthImplBase health = new HealthGrpc.HealthImplBase() {
            @Override
            public void check(HealthCheckRequest request, StreamObserver<HealthCheckResponse> answer) {
                answer.onNext(HealthCheckResponse.newBuilder().setStatus(HealthCheckResponse.ServingStatus.SERVING).build());
                answer.onCompleted();
            }
        };
        Server server = ServerBuilder.forPort(0).addService(ServerInterceptors.intercept(health, capture)).build().start();
        ManagedChannel channel = Channels.open("127.0.0.1:" + server.getPort(), TraceContextInterceptor.INSTANCE);
        try {
            scope.run(job(TRACE_PARENT), () -> HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance()));
        } finally {
            Channels.close(channel);
            server.shutdownNow();
        }

        String jobSpanId = finished.get(0).getSpanId();
        assertEquals("00-" + TRACE_ID + "-" + jobSpanId + "-01", received.get(), "the call's parent is the job's span");
    }
}

package dev.calibra.runtime.observability;

import dev.calibra.proto.v1.Job;
import dev.calibra.runtime.worker.JobScope;
import dev.calibra.runtime.worker.JobStoppedException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.MDC;

/**
 * What this worker wraps around every job it runs ({@link dev.calibra.runtime.worker.JobWorker#withScope}):
 * a span "job TYPE" whose parent is the submitter's trace (Job.trace_parent, W3C), current while the job
 * runs so that the registry calls made for it join that trace (one trace per job across services); the
 * job id and trace id in the log MDC (job_id, traceId, spanId); and calibra_job_run_seconds{type,outcome},
 * the run time of each attempt as this worker saw it (outcome succeeded, failed or stopped).
 */
@ApplicationScoped
public class TracingJobScope implements JobScope {

    static final String MDC_JOB_ID = "job_id";
    static final String MDC_TRACE_ID = "traceId";
    static final String MDC_SPAN_ID = "spanId";

    private static final TextMapGetter<Map<String, String>> FROM_MAP = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    private final Tracer tracer;
    private final MeterRegistry registry;

    @Inject
    public TracingJobScope(OpenTelemetry openTelemetry, MeterRegistry registry) {
        this(openTelemetry.getTracer("dev.calibra.runtime"), registry);
    }

    public TracingJobScope(Tracer tracer, MeterRegistry registry) {
        this.tracer = tracer;
        this.registry = registry;
    }

    @Override
    public <T> T run(Job job, Callable<T> body) throws Exception {
        String type = job.getType().name().replace("JOB_TYPE_", "");
        Span span = tracer.spanBuilder("job " + type).setParent(parentOf(job)).setSpanKind(SpanKind.CONSUMER)
                .setAttribute("calibra.job.id", job.getId())
                .setAttribute("calibra.job.type", type)
                .setAttribute("calibra.job.attempt", job.getAttempts())
                .startSpan();
        Object previousJob = MDC.put(MDC_JOB_ID, job.getId());
        Object previousTrace = MDC.put(MDC_TRACE_ID, span.getSpanContext().getTraceId());
        Object previousSpan = MDC.put(MDC_SPAN_ID, span.getSpanContext().getSpanId());
        long start = System.nanoTime();
        String outcome = "failed";
        try (Scope ignored = span.makeCurrent()) {
            T result = body.call();
            outcome = "succeeded";
            return result;
        } catch (JobStoppedException stopped) {
            outcome = "stopped";  // cancelled or lease lost: not an error of the job
            throw stopped;
        } catch (Throwable error) {
            span.recordException(error);
            span.setStatus(StatusCode.ERROR, String.valueOf(error.getMessage()));
            throw error;
        } finally {
            span.setAttribute("calibra.job.outcome", outcome);
            span.end();
            Timer.builder("calibra.job.run").description("Run time of one job attempt on this worker")
                    .tag("type", type).tag("outcome", outcome).register(registry)
                    .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            restore(MDC_SPAN_ID, previousSpan);
            restore(MDC_TRACE_ID, previousTrace);
            restore(MDC_JOB_ID, previousJob);
        }
    }

    /** The submitter's context from the job's W3C traceparent; the root (a new trace) when it has none. */
    static Context parentOf(Job job) {
        if (job.getTraceParent().isEmpty()) {
            return Context.root();
        }
        return W3CTraceContextPropagator.getInstance().extract(Context.root(), Map.of("traceparent", job.getTraceParent()),
                FROM_MAP);
    }

    private static void restore(String key, Object previous) {
        if (previous == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, previous);
        }
    }
}

package dev.calibra.registry.support;

import dev.calibra.rpc.GrpcErrors;
import io.grpc.stub.ServerCallStreamObserver;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Server streams that follow a database row (WatchJob, WatchStudy): a shared scheduler reads the row
 * at an interval and emits when its version moves. Polling, unlike LISTEN/NOTIFY, works unchanged
 * with several registry replicas, and no request thread is held while a client watches.
 */
@ApplicationScoped
public class StreamPoller {

    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, runnable -> {
        Thread thread = new Thread(runnable, "calibra-watch");
        thread.setDaemon(true);
        return thread;
    });

    public <T, E> void follow(ServerCallStreamObserver<E> out, long intervalMillis, Supplier<T> read,
            Function<T, Object> versionOf, Predicate<T> finished, Function<T, E> toEvent) {
        AtomicReference<Object> seen = new AtomicReference<>();
        AtomicReference<ScheduledFuture<?>> task = new AtomicReference<>();
        Runnable poll = () -> {
            if (out.isCancelled()) {
                task.get().cancel(false);
                return;
            }
            try {
                T row = QuarkusTransaction.requiringNew().call(read::get);
                Object version = versionOf.apply(row);
                if (!Objects.equals(version, seen.get())) {
                    seen.set(version);
                    out.onNext(QuarkusTransaction.requiringNew().call(() -> toEvent.apply(row)));
                }
                if (finished.test(row)) {
                    task.get().cancel(false);
                    out.onCompleted();
                }
            } catch (RuntimeException error) {
                task.get().cancel(false);
                out.onError(GrpcErrors.toStatus(unwrap(error)));
            }
        };
        synchronized (task) {
            task.set(scheduler.scheduleWithFixedDelay(() -> {
                synchronized (task) {
                    if (!task.get().isCancelled()) {
                        poll.run();
                    }
                }
            }, 0, intervalMillis, TimeUnit.MILLISECONDS));
        }
    }

    private static Throwable unwrap(RuntimeException error) {
        // QuarkusTransaction wraps what the body threw.
        return error.getClass().getName().startsWith("io.quarkus.narayana") && error.getCause() != null ? error.getCause() : error;
    }

    @PreDestroy
    void stop() {
        scheduler.shutdownNow();
    }
}

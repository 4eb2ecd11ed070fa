package dev.calibra.rpc;

import io.grpc.stub.StreamObserver;
import java.util.concurrent.Callable;

/** Runs a unary call body and answers the observer, mapping failures through {@link GrpcErrors}. */
public final class Rpc {

    private Rpc() {}

    public static <T> void unary(StreamObserver<T> observer, Callable<T> body) {
        T result;
        try {
            result = body.call();
        } catch (Throwable error) {
            observer.onError(GrpcErrors.toStatus(error));
            return;
        }
        observer.onNext(result);
        observer.onCompleted();
    }

    /** For server streams: the body emits through the observer; errors end the stream with a status. */
    public static <T> void stream(StreamObserver<T> observer, StreamBody<T> body) {
        try {
            body.run(observer);
        } catch (Throwable error) {
            observer.onError(GrpcErrors.toStatus(error));
            return;
        }
        observer.onCompleted();
    }

    @FunctionalInterface
    public interface StreamBody<T> {
        void run(StreamObserver<T> observer) throws Exception;
    }
}

package dev.calibra.runtime.grpc;

import dev.calibra.rpc.CalibraException;
import io.grpc.Context;

/**
 * The stop check of a direct (non-queued) gRPC call, as {@link dev.calibra.runtime.worker.JobContext#checkStop()}
 * is a job's: long work stops when its caller cancels or goes away. Capture it on the call's thread;
 * callbacks on other threads then still see the call's cancellation.
 */
public final class DirectCall {

    private final Context call;

    private DirectCall(Context call) {
        this.call = call;
    }

    /** The call being served on this thread. */
    public static DirectCall current() {
        return new DirectCall(Context.current());
    }

    public boolean cancelled() {
        return call.isCancelled();
    }

    /** Throws CANCELLED when the caller cancelled the call (or its deadline passed). */
    public void checkStop() {
        if (call.isCancelled()) {
            throw new CalibraException(CalibraException.Kind.CANCELLED, "the caller cancelled the call");
        }
    }
}

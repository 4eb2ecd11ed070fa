package dev.calibra.hub;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A response body read as an InputStream that hands over every byte that arrived before the connection broke,
 * and only then the failure. HttpClient's own {@code BodyHandlers.ofInputStream()} throws as soon as it learns of
 * the failure and drops the bytes it had already received, so a cut download would resume from an earlier
 * offset than it could (and by a different amount each time).
 */
final class BodyStream extends InputStream implements HttpResponse.BodySubscriber<InputStream> {

    /** Marks the end of the body in the queue. */
    private static final Object END = new Object();

    /** Lists of buffers in arrival order, then END or the Throwable that ended the body. */
    private final BlockingQueue<Object> arrivals = new LinkedBlockingQueue<>();
    private final CompletableFuture<Flow.Subscription> subscription = new CompletableFuture<>();
    private Iterator<ByteBuffer> buffers = Collections.emptyIterator();
    private ByteBuffer current;
    private Object ended;

    static HttpResponse.BodyHandler<InputStream> handler() {
        return info -> new BodyStream();
    }

    @Override
    public CompletionStage<InputStream> getBody() {
        return CompletableFuture.completedFuture(this);
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription.complete(s);
        s.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
        arrivals.add(item);
    }

    @Override
    public void onError(Throwable throwable) {
        arrivals.add(throwable);
    }

    @Override
    public void onComplete() {
        arrivals.add(END);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] bytes, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        while (current == null || !current.hasRemaining()) {
            if (buffers.hasNext()) {
                current = buffers.next();
            } else if (!nextArrival()) {
                return -1;
            }
        }
        int n = Math.min(length, current.remaining());
        current.get(bytes, offset, n);
        return n;
    }

    /** Takes the next list of buffers; false at the end of the body; throws the failure that ended it. */
    @SuppressWarnings("unchecked")
    private boolean nextArrival() throws IOException {
        Object next = ended;
        if (next == null) {
            try {
                next = arrivals.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while reading a response body");
            }
        }
        if (next == END) {
            ended = END;
            return false;
        }
        if (next instanceof Throwable failure) {
            ended = failure;
            throw failure instanceof IOException io ? io : new IOException(failure.getMessage(), failure);
        }
        buffers = ((List<ByteBuffer>) next).iterator();
        subscription.join().request(1);
        return true;
    }

    /** Stops the body; the connection is dropped if it was not read to the end. */
    @Override
    public void close() {
        if (ended == null) {
            ended = END;
            subscription.thenAccept(Flow.Subscription::cancel);
        }
    }
}

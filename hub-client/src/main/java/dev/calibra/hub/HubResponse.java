package dev.calibra.hub;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;
import java.util.Optional;

/**
 * The last response of a request whose redirects were followed, and the headers of the last one that came from
 * the hub itself: the hub puts a file's X-Repo-Commit, X-Linked-Etag and X-Linked-Size on its 302 to the CDN,
 * not on the CDN's answer.
 */
record HubResponse(HttpResponse<InputStream> last, HttpHeaders hubHeaders) implements Closeable {

    int status() {
        return last.statusCode();
    }

    URI uri() {
        return last.uri();
    }

    InputStream body() {
        return last.body();
    }

    Optional<String> header(String name) {
        return last.headers().firstValue(name);
    }

    Optional<String> hubHeader(String name) {
        return hubHeaders.firstValue(name);
    }

    /** Releases the connection. */
    @Override
    public void close() {
        try {
            last.body().close();
        } catch (IOException e) {
            // The answer has been read or abandoned; a connection that fails to close is dropped by the client.
        }
    }
}

package dev.calibra.hub;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutorService;

/**
 * Sends GETs to the hub and its CDN. Redirects are followed here rather than by HttpClient so that the
 * token goes only to the endpoint's own scheme, host and port (an LFS file's 302 points at a CDN, which must
 * never see it) and so that the hub's own first response stays readable.
 */
final class HubHttp {

    static final int MAX_REDIRECTS = 5;
    static final String USER_AGENT = "calibra-hub/0.1; java/" + Runtime.version().feature();
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** How long to wait for a response's headers; the body then streams without a deadline. */
    private static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(60);

    private final HttpClient client;
    private final HubSettings settings;

    HubHttp(HubSettings settings, ExecutorService executor) {
        this.settings = settings;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(CONNECT_TIMEOUT)
                .executor(executor)
                .build();
    }

    /** One GET, redirects followed; {@code range} is a Range header value or null. The caller closes it. */
    HubResponse get(URI uri, String range) throws IOException {
        HttpHeaders hubHeaders = null;
        URI target = uri;
        for (int hop = 0; ; hop++) {
            HttpResponse<InputStream> response = send(target, range);
            if (hubHeaders == null || isEndpoint(target)) {
                hubHeaders = response.headers();
            }
            int status = response.statusCode();
            boolean redirect = status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
            if (!redirect) {
                return new HubResponse(response, hubHeaders);
            }
            response.body().close();
            String location = response.headers().firstValue("Location")
                    .orElseThrow(() -> new IOException("HTTP " + status + " from " + uri + " has no Location"));
            if (hop == MAX_REDIRECTS) {
                throw new IOException("more than " + MAX_REDIRECTS + " redirects from " + uri);
            }
            // A relative Location (the hub's renamed-repository redirect) is resolved against the current URL.
            try {
                target = target.resolve(location);
            } catch (IllegalArgumentException e) {
                throw new IOException("HTTP " + status + " from " + uri + " has an invalid Location: " + e.getMessage(), e);
            }
        }
    }

    /** Whether a request to this URL carries the token: only the endpoint itself may see it. */
    boolean sendsTokenTo(URI uri) {
        return settings.hasToken() && isEndpoint(uri);
    }

    /** Same scheme, host and port as the endpoint. */
    boolean isEndpoint(URI uri) {
        URI endpoint = settings.endpoint();
        return Objects.equals(endpoint.getScheme(), uri.getScheme())
                && endpoint.getHost() != null && endpoint.getHost().equalsIgnoreCase(uri.getHost())
                && effectivePort(endpoint) == effectivePort(uri);
    }

    private HttpResponse<InputStream> send(URI uri, String range) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .GET()
                .timeout(RESPONSE_TIMEOUT)
                .header("User-Agent", USER_AGENT)
                // Sizes and Range offsets are of the bytes as stored: no compression.
                .header("Accept-Encoding", "identity");
        if (range != null) {
            request.header("Range", range);
        }
        if (sendsTokenTo(uri)) {
            request.header("Authorization", "Bearer " + settings.token());
        }
        try {
            return client.send(request.build(), BodyStream.handler());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while requesting " + uri);
        }
    }

    private static int effectivePort(URI uri) {
        if (uri.getPort() >= 0) {
            return uri.getPort();
        }
        return "https".equals(uri.getScheme()) ? 443 : 80;
    }
}

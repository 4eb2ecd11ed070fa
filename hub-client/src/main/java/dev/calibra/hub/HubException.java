package dev.calibra.hub;

/**
 * A pull that could not finish. The kind is what the CLI maps to an error code; the message is a
 * sentence for a person that names the repository, the file, the URL and status, or the hashes.
 * Messages never contain the token.
 */
public final class HubException extends Exception {

    /** Why the pull failed, coarse enough for an exit code or a gRPC status. */
    public enum Kind {
        /** The hub answered 401: no token, or a token it refused. */
        UNAUTHENTICATED,
        /** The hub answered 403: a gated repository not granted to this token, or a token without the permission. */
        PERMISSION_DENIED,
        /** No such repository, revision or file; or, offline, nothing cached for it. */
        NOT_FOUND,
        /** Bytes or metadata that do not match what the hub says they are. */
        INTEGRITY,
        /** The hub, its CDN or the local cache could not be reached or written, even after retries. */
        UNAVAILABLE,
        /** The request itself is wrong: a glob that matches nothing, a malformed glob, a refused request. */
        INVALID_ARGUMENT
    }

    private final Kind kind;

    public HubException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public HubException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}

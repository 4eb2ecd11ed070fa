package dev.calibra.hub;

import java.util.Objects;

/**
 * A model repository on the Hugging Face Hub and the revision (branch, tag or commit) to pull. Written
 * {@code ORG/NAME}, {@code hf://ORG/NAME} or {@code hf://ORG/NAME@REV}; the revision defaults to {@code main}.
 *
 * <p>The repository id is checked the way huggingface_hub's {@code validate_repo_id} checks it (letters, digits,
 * '-', '_' and '.'; no "--" or ".."; each part starts and ends with a letter, digit or '_'; a name of at most 96
 * characters; no ".git" ending), except that the namespace is required: Calibra always names ORG/NAME.
 */
public record HubReference(String repoId, String revision) {

    public static final String SCHEME = "hf://";
    public static final String DEFAULT_REVISION = "main";
    private static final int MAX_NAME_CHARS = 96;
    private static final String FORBIDDEN_IN_REVISION = "~^:?*[\\";

    public HubReference {
        checkRepoId(repoId);
        checkRevision(revision);
    }

    /** Parses {@code ORG/NAME}, {@code hf://ORG/NAME} or {@code hf://ORG/NAME@REV}. */
    public static HubReference parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("a hub reference is required: ORG/NAME or hf://ORG/NAME@REV");
        }
        String rest = isHubUri(text) ? text.substring(SCHEME.length()) : text;
        // A repository id never contains '@', so the first one starts the revision.
        int at = rest.indexOf('@');
        if (at < 0) {
            return of(rest, null);
        }
        String revision = rest.substring(at + 1);
        if (revision.isEmpty()) {
            throw new IllegalArgumentException("hub reference '" + text + "' has an empty revision after '@'");
        }
        return new HubReference(rest.substring(0, at), revision);
    }

    /** The repository at a revision; a null or blank revision means {@code main}. */
    public static HubReference of(String repoId, String revision) {
        return new HubReference(repoId, revision == null || revision.isBlank() ? DEFAULT_REVISION : revision.strip());
    }

    /** Whether the text is an {@code hf://} reference (rather than a local path or another store's URI). */
    public static boolean isHubUri(String text) {
        return text != null && text.startsWith(SCHEME);
    }

    /** {@code hf://ORG/NAME@REV}. */
    public String uri() {
        return SCHEME + repoId + "@" + revision;
    }

    /** Whether the revision is a full commit hash (then the cache keeps no ref for it). */
    public boolean isCommit() {
        return revision.matches("[0-9a-f]{40}");
    }

    private static void checkRepoId(String repoId) {
        if (repoId == null || repoId.isBlank()) {
            throw new IllegalArgumentException("a hub repository id is required: ORG/NAME");
        }
        String[] parts = repoId.split("/", -1);
        if (parts.length != 2) {
            throw new IllegalArgumentException("hub repository id '" + repoId
                    + "' must be ORG/NAME with exactly one '/' (only model repositories are supported)");
        }
        checkIdPart(repoId, parts[0], "organisation");
        checkIdPart(repoId, parts[1], "name");
        if (parts[1].length() > MAX_NAME_CHARS) {
            throw new IllegalArgumentException("hub repository name '" + parts[1] + "' is " + parts[1].length()
                    + " characters; the hub allows at most " + MAX_NAME_CHARS);
        }
        if (repoId.contains("--") || repoId.contains("..")) {
            throw new IllegalArgumentException("hub repository id '" + repoId + "' cannot contain '--' or '..'");
        }
        if (repoId.endsWith(".git")) {
            throw new IllegalArgumentException("hub repository id '" + repoId + "' cannot end with '.git'");
        }
    }

    private static void checkIdPart(String repoId, String part, String role) {
        if (part.isEmpty()) {
            throw new IllegalArgumentException("hub repository id '" + repoId + "' has an empty " + role);
        }
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            if (!isWordChar(c) && c != '-' && c != '.') {
                throw new IllegalArgumentException("hub repository id '" + repoId
                        + "' may only use letters, digits, '-', '_' and '.', not '" + c + "'");
            }
        }
        // The hub's regex puts word boundaries at both ends: no leading or trailing '-' or '.'.
        if (!isWordChar(part.charAt(0)) || !isWordChar(part.charAt(part.length() - 1))) {
            throw new IllegalArgumentException("'" + part + "' in hub repository id '" + repoId
                    + "' cannot start or end with '-' or '.'");
        }
    }

    private static boolean isWordChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    }

    /** A subset of git's ref-name rules: enough that a revision is safe as a path under the cache's refs/. */
    private static void checkRevision(String revision) {
        Objects.requireNonNull(revision, "revision");
        if (revision.isBlank()) {
            throw new IllegalArgumentException("a hub revision cannot be blank");
        }
        for (int i = 0; i < revision.length(); i++) {
            char c = revision.charAt(i);
            if (c <= ' ' || c == 0x7f || FORBIDDEN_IN_REVISION.indexOf(c) >= 0) {
                throw new IllegalArgumentException("hub revision '" + revision + "' cannot contain "
                        + (c <= ' ' || c == 0x7f ? "spaces or control characters" : "'" + c + "'"));
            }
        }
        if (revision.contains("..") || revision.contains("//") || revision.contains("@{")
                || revision.startsWith("/") || revision.endsWith("/") || revision.endsWith(".lock")) {
            throw new IllegalArgumentException("hub revision '" + revision
                    + "' is not a valid branch, tag or commit name");
        }
    }
}

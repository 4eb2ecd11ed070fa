package dev.calibra.hub;

import java.nio.charset.StandardCharsets;

/** Paths inside a repository: which ones are safe to write under a snapshot folder, and how URLs spell them. */
final class RepoPaths {

    private RepoPaths() {}

    /**
     * Whether a path the hub listed stays inside the snapshot folder: relative, '/'-separated, no empty, "." or
     * ".." segment, no backslash or control character. A hostile or broken server must not write elsewhere.
     */
    static boolean isSafe(String path) {
        if (path == null || path.isEmpty() || path.startsWith("/") || path.indexOf('\\') >= 0) {
            return false;
        }
        for (int i = 0; i < path.length(); i++) {
            if (path.charAt(i) < ' ' || path.charAt(i) == 0x7f) {
                return false;
            }
        }
        for (String segment : path.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return false;
            }
        }
        return true;
    }

    /** Percent-encodes each segment and keeps the '/' between them (Python's {@code quote(path)}). */
    static String encodePath(String path) {
        StringBuilder out = new StringBuilder();
        for (String segment : path.split("/", -1)) {
            if (out.length() > 0) {
                out.append('/');
            }
            out.append(encodeSegment(segment));
        }
        return out.toString();
    }

    /** Percent-encodes everything but RFC 3986's unreserved characters, '/' included ({@code quote(s, safe="")}). */
    static String encodeSegment(String text) {
        StringBuilder out = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~') {
                out.append(c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }
}

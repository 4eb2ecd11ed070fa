package dev.calibra.model.chat.jinja;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Python's str semantics over Java strings. Python indexes strings by code point, Java by UTF-16 unit,
 * so everything that counts characters (len, indexes, slices, find) goes through code points here.
 */
final class PyStrings {

    private PyStrings() {
    }

    /** str.isspace(): what Python's strip(), split() and the lexer's \s treat as whitespace. */
    static boolean isSpace(int c) {
        switch (c) {
            case ' ', '\t', '\n', '\r', 0x0b, 0x0c, 0x1c, 0x1d, 0x1e, 0x1f, 0x85, 0xa0, 0x2028, 0x2029:
                return true;
            default:
                return c > 0x7f && Character.getType(c) == Character.SPACE_SEPARATOR;
        }
    }

    static List<String> chars(String s) {
        List<String> out = new ArrayList<>(s.length());
        s.codePoints().forEach(c -> out.add(new String(Character.toChars(c))));
        return out;
    }

    static int[] codePoints(String s) {
        return s.codePoints().toArray();
    }

    static String fromCodePoints(int[] cps, int from, int to) {
        return new String(cps, from, to - from);
    }

    static int length(String s) {
        return s.codePointCount(0, s.length());
    }

    /** A code point index converted to a UTF-16 index. */
    static int offset(String s, int codePointIndex) {
        return s.offsetByCodePoints(0, codePointIndex);
    }

    static int codePointIndex(String s, int offset) {
        return s.codePointCount(0, offset);
    }

    static String strip(String s, Object chars, boolean left, boolean right) {
        int[] cps = codePoints(s);
        int[] set = chars == null ? null : codePoints((String) chars);
        int from = 0;
        int to = cps.length;
        while (left && from < to && stripped(cps[from], set)) {
            from++;
        }
        while (right && to > from && stripped(cps[to - 1], set)) {
            to--;
        }
        return fromCodePoints(cps, from, to);
    }

    private static boolean stripped(int c, int[] set) {
        if (set == null) {
            return isSpace(c);
        }
        for (int x : set) {
            if (x == c) {
                return true;
            }
        }
        return false;
    }

    static String rstripSpace(String s) {
        return strip(s, null, false, true);
    }

    /** str.split(sep, maxsplit); sep None splits on runs of whitespace. */
    static List<Object> split(String s, Object sep, long maxsplit) {
        List<Object> out = new ArrayList<>();
        if (sep == null) {
            int[] cps = codePoints(s);
            int i = 0;
            int n = cps.length;
            while (true) {
                while (i < n && isSpace(cps[i])) {
                    i++;
                }
                if (i == n) {
                    break;
                }
                if (maxsplit >= 0 && out.size() == maxsplit) {
                    out.add(fromCodePoints(cps, i, n));
                    break;
                }
                int start = i;
                while (i < n && !isSpace(cps[i])) {
                    i++;
                }
                out.add(fromCodePoints(cps, start, i));
            }
            return out;
        }
        String separator = requireSeparator(sep);
        int start = 0;
        while (maxsplit < 0 || out.size() < maxsplit) {
            int at = s.indexOf(separator, start);
            if (at < 0) {
                break;
            }
            out.add(s.substring(start, at));
            start = at + separator.length();
        }
        out.add(s.substring(start));
        return out;
    }

    /** str.rsplit(sep, maxsplit). */
    static List<Object> rsplit(String s, Object sep, long maxsplit) {
        List<Object> out = new ArrayList<>();
        if (sep == null) {
            int[] cps = codePoints(s);
            int i = cps.length;
            while (true) {
                while (i > 0 && isSpace(cps[i - 1])) {
                    i--;
                }
                if (i == 0) {
                    break;
                }
                if (maxsplit >= 0 && out.size() == maxsplit) {
                    out.add(0, fromCodePoints(cps, 0, i));
                    break;
                }
                int end = i;
                while (i > 0 && !isSpace(cps[i - 1])) {
                    i--;
                }
                out.add(0, fromCodePoints(cps, i, end));
            }
            return out;
        }
        String separator = requireSeparator(sep);
        int end = s.length();
        while (maxsplit < 0 || out.size() < maxsplit) {
            int at = end - separator.length() < 0 ? -1 : s.lastIndexOf(separator, end - separator.length());
            if (at < 0) {
                break;
            }
            out.add(0, s.substring(at + separator.length(), end));
            end = at;
        }
        out.add(0, s.substring(0, end));
        return out;
    }

    private static String requireSeparator(Object sep) {
        if (!(sep instanceof String separator)) {
            throw PyException.typeError("must be str or None, not " + PyValues.typeName(sep));
        }
        if (separator.isEmpty()) {
            throw PyException.valueError("empty separator");
        }
        return separator;
    }

    private static boolean isLineBreak(int c) {
        switch (c) {
            case '\n', '\r', 0x0b, 0x0c, 0x1c, 0x1d, 0x1e, 0x85, 0x2028, 0x2029:
                return true;
            default:
                return false;
        }
    }

    /** str.splitlines(keepends). */
    static List<Object> splitlines(String s, boolean keepends) {
        List<Object> out = new ArrayList<>();
        int[] cps = codePoints(s);
        int start = 0;
        int i = 0;
        while (i < cps.length) {
            if (isLineBreak(cps[i])) {
                int end = i;
                i += cps[i] == '\r' && i + 1 < cps.length && cps[i + 1] == '\n' ? 2 : 1;
                out.add(fromCodePoints(cps, start, keepends ? i : end));
                start = i;
            } else {
                i++;
            }
        }
        if (start < cps.length) {
            out.add(fromCodePoints(cps, start, cps.length));
        }
        return out;
    }

    static String upper(String s) {
        return s.toUpperCase(Locale.ROOT);
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    private static boolean isCased(int c) {
        return Character.isUpperCase(c) || Character.isLowerCase(c) || Character.isTitleCase(c);
    }

    /** str.title(): each run of cased letters starts upper case, so "they're" gives "They'Re". */
    static String title(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        boolean previousCased = false;
        for (int c : codePoints(s)) {
            if (isCased(c)) {
                sb.appendCodePoint(previousCased ? Character.toLowerCase(c) : Character.toTitleCase(c));
                previousCased = true;
            } else {
                sb.appendCodePoint(c);
                previousCased = false;
            }
        }
        return sb.toString();
    }

    /** str.capitalize(): first character title case, the rest lower case. */
    static String capitalize(String s) {
        if (s.isEmpty()) {
            return s;
        }
        int first = s.codePointAt(0);
        return new String(Character.toChars(Character.toTitleCase(first)))
                + lower(s.substring(Character.charCount(first)));
    }

    static String swapcase(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int c : codePoints(s)) {
            sb.appendCodePoint(Character.isUpperCase(c) ? Character.toLowerCase(c)
                    : Character.isLowerCase(c) ? Character.toUpperCase(c) : c);
        }
        return sb.toString();
    }

    /** str.replace(old, new, count). */
    static String replace(String s, String old, String replacement, long count) {
        if (count < 0) {
            count = Long.MAX_VALUE;
        }
        StringBuilder sb = new StringBuilder();
        if (old.isEmpty()) {
            List<String> chars = chars(s);
            long done = 0;
            for (String c : chars) {
                if (done++ < count) {
                    sb.append(replacement);
                }
                sb.append(c);
            }
            if (done < count) {
                sb.append(replacement);
            }
            return sb.toString();
        }
        int start = 0;
        long done = 0;
        while (done < count) {
            int at = s.indexOf(old, start);
            if (at < 0) {
                break;
            }
            sb.append(s, start, at).append(replacement);
            start = at + old.length();
            done++;
        }
        return sb.append(s.substring(start)).toString();
    }

    /** str.count(sub): non-overlapping occurrences; an empty sub counts len + 1. */
    static long count(String s, String sub) {
        if (sub.isEmpty()) {
            return length(s) + 1L;
        }
        long n = 0;
        for (int at = s.indexOf(sub); at >= 0; at = s.indexOf(sub, at + sub.length())) {
            n++;
        }
        return n;
    }

    /** Pads to width code points like str.center, ljust and rjust. */
    static String pad(String s, long width, String fill, char how) {
        long missing = width - length(s);
        if (missing <= 0) {
            return s;
        }
        long left;
        if (how == 'l') {
            left = 0;
        } else if (how == 'r') {
            left = missing;
        } else {
            // CPython's center puts the odd extra fill on the left when width is odd
            left = missing / 2 + (missing & width & 1);
        }
        return fill.repeat((int) left) + s + fill.repeat((int) (missing - left));
    }

    /** Python's repr of a str: single quotes unless the text has ' and no ". */
    static String repr(String s) {
        char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder sb = new StringBuilder(s.length() + 2).append(quote);
        for (int c : codePoints(s)) {
            if (c == quote || c == '\\') {
                sb.append('\\').appendCodePoint(c);
            } else if (c == '\n') {
                sb.append("\\n");
            } else if (c == '\r') {
                sb.append("\\r");
            } else if (c == '\t') {
                sb.append("\\t");
            } else if (isPrintable(c)) {
                sb.appendCodePoint(c);
            } else if (c < 0x100) {
                sb.append(String.format("\\x%02x", c));
            } else if (c < 0x10000) {
                sb.append(String.format("\\u%04x", c));
            } else {
                sb.append(String.format("\\U%08x", c));
            }
        }
        return sb.append(quote).toString();
    }

    /** str.isprintable(): not a control, format, surrogate, private-use, unassigned or separator other than space. */
    static boolean isPrintable(int c) {
        if (c == ' ') {
            return true;
        }
        switch (Character.getType(c)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE,
                    Character.UNASSIGNED, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                    Character.SPACE_SEPARATOR:
                return false;
            default:
                return true;
        }
    }

    /** Python's ordering of str: by code point (Java's compareTo orders UTF-16 units). */
    static int compare(String a, String b) {
        int[] x = codePoints(a);
        int[] y = codePoints(b);
        int n = Math.min(x.length, y.length);
        for (int i = 0; i < n; i++) {
            if (x[i] != y[i]) {
                return Integer.compare(x[i], y[i]);
            }
        }
        return Integer.compare(x.length, y.length);
    }
}

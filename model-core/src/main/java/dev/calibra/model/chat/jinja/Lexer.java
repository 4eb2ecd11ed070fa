package dev.calibra.model.chat.jinja;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * jinja2.lexer.Lexer for transformers' environment: trim_blocks and lstrip_blocks on,
 * keep_trailing_newline off, default delimiters. Whitespace control follows Jinja2 3.1 exactly:
 * {@code -} strips all whitespace on its side; trim_blocks drops the one newline after a block or
 * comment tag (not after {@code }}}, and not when the tag ends with {@code +%}}); lstrip_blocks drops
 * spaces and tabs before a block or comment tag that starts its line (not before {@code {{} or {@code {%+}).
 */
final class Lexer {

    private static final Pattern FLOAT = Pattern.compile(
            "(?<!\\.)(?:\\d+_)*\\d+(?:(?:\\.(?:\\d+_)*\\d+)?[eE][+\\-]?(?:\\d+_)*\\d+|\\.(?:\\d+_)*\\d+)");
    private static final Pattern INTEGER = Pattern.compile(
            "0[bB](?:_?[01])+|0[oO](?:_?[0-7])+|0[xX](?:_?[0-9a-fA-F])+|[1-9](?:_?\\d)*|0(?:_?0)*");
    /** Longest first, as Jinja2 sorts them. */
    private static final String[] OPERATORS = {"//", "**", "==", "!=", ">=", "<=", "+", "-", "/", "*", "%", "~",
        "[", "]", "(", ")", "{", "}", ">", "<", "=", ".", ":", "|", ",", ";"};

    private final String templateName;
    private final String src;
    private final int[] lineStarts;
    private final List<Token> tokens = new ArrayList<>();
    private int pos;
    /** Jinja2's line_starting: the previous match ended with a newline, so lstrip may apply at pos. */
    private boolean lineStarting = true;

    private Lexer(String source, String templateName) {
        this.templateName = templateName;
        this.src = normalizeNewlines(source);
        List<Integer> starts = new ArrayList<>();
        starts.add(0);
        for (int i = 0; i < src.length(); i++) {
            if (src.charAt(i) == '\n') {
                starts.add(i + 1);
            }
        }
        this.lineStarts = starts.stream().mapToInt(Integer::intValue).toArray();
    }

    static List<Token> tokenize(String source, String templateName) {
        Lexer lexer = new Lexer(source, templateName);
        lexer.run();
        return lexer.tokens;
    }

    /** \r\n and \r become \n, and one trailing newline goes (keep_trailing_newline=False). */
    private static String normalizeNewlines(String source) {
        String s = source.replace("\r\n", "\n").replace('\r', '\n');
        return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
    }

    private int lineAt(int offset) {
        int lo = 0;
        int hi = lineStarts.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (lineStarts[mid] <= offset) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo + 1;
    }

    private TemplateException error(int offset, String problem) {
        return new TemplateException(templateName, lineAt(offset), problem);
    }

    private void add(Token.Kind kind, String value, int offset) {
        tokens.add(new Token(kind, value, lineAt(offset)));
    }

    private void run() {
        int n = src.length();
        while (pos < n) {
            int tag = nextTagStart(pos);
            if (tag < 0) {
                addData(src.substring(pos), pos);
                break;
            }
            char kind = src.charAt(tag + 1);
            int p = tag + 2;
            char sign = 0;
            if (p < n && (src.charAt(p) == '-' || src.charAt(p) == '+')) {
                sign = src.charAt(p++);
            }
            int rawEnd = kind == '%' ? rawBeginEnd(p) : -1;
            addData(stripBefore(src.substring(pos, tag), sign, kind != '{'), pos);
            if (rawEnd >= 0) {
                endMatch(rawEnd);
                raw(tag);
            } else if (kind == '#') {
                comment(tag, p);
            } else {
                expressionTag(tag, p, kind == '%');
            }
        }
        tokens.add(new Token(Token.Kind.EOF, "", lineAt(n)));
    }

    private int nextTagStart(int from) {
        for (int i = src.indexOf('{', from); i >= 0 && i + 1 < src.length(); i = src.indexOf('{', i + 1)) {
            char c = src.charAt(i + 1);
            if (c == '{' || c == '%' || c == '#') {
                return i;
            }
        }
        return -1;
    }

    private void addData(String text, int offset) {
        if (!text.isEmpty()) {
            add(Token.Kind.DATA, text, offset);
        }
    }

    /** The whitespace control of the tag that follows text: '-' strips, else lstrip_blocks. */
    private String stripBefore(String text, char sign, boolean blockOrComment) {
        if (sign == '-') {
            return PyStrings.rstripSpace(text);
        }
        if (sign != '+' && blockOrComment) {
            int lineStart = text.lastIndexOf('\n') + 1;
            if ((lineStart > 0 || lineStarting) && lineStart < text.length() && allSpace(text, lineStart)) {
                return text.substring(0, lineStart);
            }
        }
        return text;
    }

    private static boolean allSpace(String s, int from) {
        return s.substring(from).codePoints().allMatch(PyStrings::isSpace);
    }

    private int skipSpace(int i) {
        while (i < src.length() && PyStrings.isSpace(src.charAt(i))) {
            i++;
        }
        return i;
    }

    /** Consumes up to end and records whether that match ended a line. */
    private void endMatch(int end) {
        lineStarting = end > 0 && src.charAt(end - 1) == '\n';
        pos = end;
    }

    /** Where {@code raw %}} ends when it follows {@code {%} at p, or -1: no trim_blocks here, as in Jinja2. */
    private int rawBeginEnd(int p) {
        int i = skipSpace(p);
        if (!src.startsWith("raw", i)) {
            return -1;
        }
        i = skipSpace(i + 3);
        if (src.startsWith("-%}", i)) {
            return skipSpace(i + 3);
        }
        return src.startsWith("%}", i) ? i + 2 : -1;
    }

    /**
     * The end of the closing delimiter at i, or -1: {@code +%}} as is, {@code -%}} with all whitespace after it,
     * {@code %}} and {@code #}} with one newline after it (trim_blocks), {@code }}} alone.
     */
    private int blockEnd(int i, String close) {
        if (src.startsWith("+" + close, i) && !close.equals("}}")) {
            return i + 3;
        }
        if (src.startsWith("-" + close, i)) {
            return skipSpace(i + 3);
        }
        if (src.startsWith(close, i)) {
            boolean trim = !close.equals("}}") && i + 2 < src.length() && src.charAt(i + 2) == '\n';
            return i + 2 + (trim ? 1 : 0);
        }
        return -1;
    }

    private void raw(int start) {
        for (int tag = src.indexOf("{%", pos); tag >= 0; tag = src.indexOf("{%", tag + 1)) {
            int p = tag + 2;
            char sign = 0;
            if (p < src.length() && (src.charAt(p) == '-' || src.charAt(p) == '+')) {
                sign = src.charAt(p++);
            }
            int i = skipSpace(p);
            if (!src.startsWith("endraw", i)) {
                continue;
            }
            int end = blockEnd(skipSpace(i + 6), "%}");
            if (end < 0) {
                continue;
            }
            String text = stripBefore(src.substring(pos, tag), sign, true);
            addData(text, pos);
            endMatch(end);
            return;
        }
        throw error(start, "Missing end of raw directive");
    }

    private void comment(int start, int p) {
        int close = src.indexOf("#}", p);
        if (close < 0) {
            throw error(start, "Missing end of comment tag");
        }
        int at = close > p && (src.charAt(close - 1) == '-' || src.charAt(close - 1) == '+') ? close - 1 : close;
        endMatch(blockEnd(at, "#}"));
    }

    /** A {@code {%...%}} or {@code {{...}}}: names, literals and operators up to the balanced closing delimiter. */
    private void expressionTag(int start, int p, boolean block) {
        add(block ? Token.Kind.BLOCK_BEGIN : Token.Kind.VARIABLE_BEGIN, block ? "{%" : "{{", start);
        String close = block ? "%}" : "}}";
        List<Character> balance = new ArrayList<>();
        pos = p;
        while (true) {
            if (pos >= src.length()) {
                // like Jinja2, the token stream just ends and the parser reports what it missed
                return;
            }
            if (balance.isEmpty()) {
                int end = blockEnd(pos, close);
                if (end >= 0) {
                    add(block ? Token.Kind.BLOCK_END : Token.Kind.VARIABLE_END, close, pos);
                    endMatch(end);
                    return;
                }
            }
            char c = src.charAt(pos);
            if (PyStrings.isSpace(c)) {
                pos = skipSpace(pos);
            } else if (!number() && !name() && !string()) {
                operator(balance);
            }
        }
    }

    /** Floats first, as in Jinja2, so that 1.5 is not the integer 1 followed by .5. */
    private boolean number() {
        return match(FLOAT, Token.Kind.FLOAT) || match(INTEGER, Token.Kind.INTEGER);
    }

    private boolean match(Pattern pattern, Token.Kind kind) {
        // transparent bounds let FLOAT's look-behind see the character before pos
        Matcher m = pattern.matcher(src).region(pos, src.length()).useTransparentBounds(true);
        if (!m.lookingAt()) {
            return false;
        }
        add(kind, m.group(), pos);
        pos = m.end();
        return true;
    }

    private boolean name() {
        int c = src.codePointAt(pos);
        if (!Character.isLetter(c) && c != '_') {
            return false;
        }
        int end = pos + Character.charCount(c);
        while (end < src.length()) {
            int d = src.codePointAt(end);
            if (!Character.isLetterOrDigit(d) && d != '_' && Character.getType(d) != Character.NON_SPACING_MARK
                    && Character.getType(d) != Character.COMBINING_SPACING_MARK) {
                break;
            }
            end += Character.charCount(d);
        }
        add(Token.Kind.NAME, src.substring(pos, end), pos);
        pos = end;
        return true;
    }

    private boolean string() {
        char quote = src.charAt(pos);
        if (quote != '\'' && quote != '"') {
            return false;
        }
        int i = pos + 1;
        while (i < src.length() && src.charAt(i) != quote) {
            i += src.charAt(i) == '\\' ? 2 : 1;
        }
        if (i >= src.length()) {
            return false;
        }
        add(Token.Kind.STRING, unescape(src.substring(pos + 1, i), pos), pos);
        pos = i + 1;
        return true;
    }

    private void operator(List<Character> balance) {
        for (String op : OPERATORS) {
            if (!src.startsWith(op, pos)) {
                continue;
            }
            char c = op.charAt(0);
            if (op.length() == 1 && "{([".indexOf(c) >= 0) {
                balance.add(c == '{' ? '}' : c == '(' ? ')' : ']');
            } else if (op.length() == 1 && "})]".indexOf(c) >= 0) {
                if (balance.isEmpty()) {
                    throw error(pos, "unexpected '" + c + "'");
                }
                char expected = balance.remove(balance.size() - 1);
                if (expected != c) {
                    throw error(pos, "unexpected '" + c + "', expected '" + expected + "'");
                }
            }
            add(Token.Kind.OPERATOR, op, pos);
            pos += op.length();
            return;
        }
        throw error(pos, "unexpected char " + PyStrings.repr(src.substring(pos, pos + 1)) + " at " + pos);
    }

    /** Python's unicode-escape decoding, which Jinja2 applies to string literals. */
    private String unescape(String s, int offset) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 >= s.length()) {
                sb.append(c);
                continue;
            }
            char e = s.charAt(++i);
            switch (e) {
                case '\n':
                    break;
                case '\\', '\'', '"':
                    sb.append(e);
                    break;
                case 'a':
                    sb.append('\u0007');
                    break;
                case 'b':
                    sb.append('\b');
                    break;
                case 'f':
                    sb.append('\f');
                    break;
                case 'n':
                    sb.append('\n');
                    break;
                case 'r':
                    sb.append('\r');
                    break;
                case 't':
                    sb.append('\t');
                    break;
                case 'v':
                    sb.append('\u000b');
                    break;
                case 'x', 'u', 'U': {
                    int digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                    String hex = s.substring(i + 1, Math.min(s.length(), i + 1 + digits));
                    if (hex.length() < digits || !hex.chars().allMatch(h -> Character.digit(h, 16) >= 0)) {
                        throw error(offset, "truncated \\" + e + "XX" + (digits > 2 ? "XX" : "")
                                + (digits > 4 ? "XXXX" : "") + " escape");
                    }
                    int cp = Integer.parseInt(hex, 16);
                    if (!Character.isValidCodePoint(cp)) {
                        throw error(offset, "illegal Unicode character");
                    }
                    sb.appendCodePoint(cp);
                    i += digits;
                    break;
                }
                case 'N': {
                    int close = s.indexOf('}', i);
                    if (i + 1 >= s.length() || s.charAt(i + 1) != '{' || close < 0) {
                        throw error(offset, "malformed \\N character escape");
                    }
                    try {
                        sb.appendCodePoint(Character.codePointOf(s.substring(i + 2, close)));
                    } catch (IllegalArgumentException ex) {
                        throw error(offset, "unknown Unicode character name");
                    }
                    i = close;
                    break;
                }
                default:
                    if (e >= '0' && e <= '7') {
                        int end = i;
                        while (end < s.length() && end < i + 3 && s.charAt(end) >= '0' && s.charAt(end) <= '7') {
                            end++;
                        }
                        sb.appendCodePoint(Integer.parseInt(s.substring(i, end), 8));
                        i = end - 1;
                    } else if (e > 0x7f) {
                        // Jinja2 first turns non-ASCII text into backslash escapes, so "\é" keeps its backslash
                        int cp = s.codePointAt(i);
                        sb.append(cp < 0x100 ? String.format("\\x%02x", cp)
                                : cp < 0x10000 ? String.format("\\u%04x", cp) : String.format("\\U%08x", cp));
                        i += Character.charCount(cp) - 1;
                    } else {
                        sb.append('\\').append(e);
                    }
            }
        }
        return sb.toString();
    }
}

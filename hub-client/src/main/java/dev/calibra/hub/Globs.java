package dev.calibra.hub;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Include globs with huggingface_hub's {@code allow_patterns} semantics ({@code filter_repo_objects}): Python's
 * {@code fnmatchcase} on the whole path, so matching is case-sensitive and {@code *} crosses '/' ({@code *.json}
 * matches {@code a/b.json}); {@code ?} is one character; {@code [seq]} and {@code [!seq]} are sets; a pattern
 * ending in '/' means everything under that folder; '\' is read as '/'.
 */
final class Globs {

    /** The items at least one glob matches, in their order, and the globs that matched none. */
    record Selection<T>(List<T> selected, List<String> unmatchedGlobs) {}

    private Globs() {}

    /** Selects with {@code globs}; no glob selects everything. */
    static <T> Selection<T> select(List<T> items, Function<T, String> pathOf, List<String> globs) {
        if (globs.isEmpty()) {
            return new Selection<>(List.copyOf(items), List.of());
        }
        List<Pattern> patterns = globs.stream().map(Globs::compile).toList();
        List<T> selected = new ArrayList<>();
        Set<String> unmatched = new LinkedHashSet<>(globs);
        for (T item : items) {
            String path = pathOf.apply(item).replace('\\', '/');
            boolean any = false;
            for (int i = 0; i < patterns.size(); i++) {
                if (patterns.get(i).matcher(path).matches()) {
                    unmatched.remove(globs.get(i));
                    any = true;
                }
            }
            if (any) {
                selected.add(item);
            }
        }
        return new Selection<>(selected, List.copyOf(unmatched));
    }

    /** The glob as a regex; IllegalArgumentException names a glob that cannot be one (a reversed range). */
    static Pattern compile(String glob) {
        if (glob == null || glob.isEmpty()) {
            throw new IllegalArgumentException("an include glob cannot be empty");
        }
        String pattern = glob.replace('\\', '/');
        if (pattern.endsWith("/")) {
            pattern += "*";
        }
        try {
            return Pattern.compile(translate(pattern), Pattern.DOTALL);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("include glob '" + glob + "' is malformed: " + e.getDescription(), e);
        }
    }

    /** Python's fnmatch.translate, reading a '[' without a closing ']' as a literal. */
    private static String translate(String glob) {
        StringBuilder regex = new StringBuilder();
        int n = glob.length();
        int i = 0;
        while (i < n) {
            char c = glob.charAt(i++);
            if (c == '*') {
                regex.append(".*");
            } else if (c == '?') {
                regex.append('.');
            } else if (c == '[') {
                int j = i;
                if (j < n && glob.charAt(j) == '!') {
                    j++;
                }
                if (j < n && glob.charAt(j) == ']') {
                    j++;
                }
                while (j < n && glob.charAt(j) != ']') {
                    j++;
                }
                if (j >= n) {
                    regex.append("\\[");
                } else {
                    regex.append(charClass(glob.substring(i, j)));
                    i = j + 1;
                }
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return regex.toString();
    }

    private static String charClass(String set) {
        StringBuilder out = new StringBuilder("[");
        int start = 0;
        if (set.charAt(0) == '!') {
            out.append('^');
            start = 1;
        }
        for (int k = start; k < set.length(); k++) {
            char c = set.charAt(k);
            // Letters, digits and range dashes mean themselves; everything else is escaped for Java's regex.
            out.append(Character.isLetterOrDigit(c) || c == '-' ? String.valueOf(c) : "\\" + c);
        }
        return out.append(']').toString();
    }
}

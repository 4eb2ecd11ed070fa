package dev.calibra.calibration.corpus;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.zip.ZipException;

/**
 * Streams a corpus's documents one at a time under a {@link DocumentRule}; only one document is held in
 * memory. Bad input fails naming the file and line: a non-UTF-8 byte, a line that is not JSON, a JSON
 * line without the text field, a corrupt gzip stream, a line or document over {@link #MAX_DOCUMENT_CHARS}.
 */
public final class DocumentReader {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Longest document accepted (64 Mi characters), so that a gzip bomb or an endless line fails cleanly. */
    public static final int MAX_DOCUMENT_CHARS = Utf8Lines.MAX_LINE_BYTES;

    private final CorpusSource source;
    private final DocumentRule rule;
    private long bytesRead;

    public DocumentReader(CorpusSource source, DocumentRule rule) {
        this.source = source;
        this.rule = rule;
    }

    /** Visits every document; returns how many were visited. */
    public long forEach(DocumentVisitor visitor) throws IOException {
        long index = 0;
        bytesRead = 0;
        for (Path file : source.files()) {
            try (InputStream in = CorpusSource.openBytes(file)) {
                Utf8Lines lines = new Utf8Lines(in, file.toString());
                long[] next = {index};
                boolean keepGoing = readFile(lines, file, (i, text) -> visitor.visit(next[0]++, text));
                index = next[0];
                bytesRead += lines.bytesRead();
                if (!keepGoing) {
                    return index;
                }
            } catch (ZipException | EOFException e) {
                // only a gzip stream throws these: a bad header, deflate block or CRC, or a stream cut short
                throw new CorpusFormatException(file + " is not a valid gzip stream (" + e.getMessage() + ")");
            }
        }
        return index;
    }

    /** Uncompressed bytes read by the last {@link #forEach}. */
    public long bytesRead() {
        return bytesRead;
    }

    private boolean readFile(Utf8Lines lines, Path file, DocumentVisitor visitor) throws IOException {
        return switch (rule.kind()) {
            case BLANK_LINES -> blankLineDocuments(lines, visitor);
            case LINES -> lineDocuments(lines, visitor);
            case WHOLE -> wholeDocument(lines, visitor);
            case JSONL -> jsonDocuments(lines, file, rule.field(), visitor);
        };
    }

    private static boolean blankLineDocuments(Utf8Lines lines, DocumentVisitor visitor) throws IOException {
        StringBuilder document = new StringBuilder();
        for (String line; (line = lines.next()) != null; ) {
            if (line.isBlank()) {
                if (!document.isEmpty() && !visitor.visit(0, document.toString())) {
                    return false;
                }
                document.setLength(0);
            } else {
                if (!document.isEmpty()) {
                    document.append('\n');
                }
                document.append(line);
                checkLength(document, lines);
            }
        }
        return document.isEmpty() || visitor.visit(0, document.toString());
    }

    private static boolean lineDocuments(Utf8Lines lines, DocumentVisitor visitor) throws IOException {
        for (String line; (line = lines.next()) != null; ) {
            if (!line.isBlank() && !visitor.visit(0, line)) {
                return false;
            }
        }
        return true;
    }

    private static boolean wholeDocument(Utf8Lines lines, DocumentVisitor visitor) throws IOException {
        StringBuilder document = new StringBuilder();
        for (String line; (line = lines.next()) != null; ) {
            document.append(line).append('\n');
            checkLength(document, lines);
        }
        return document.toString().isBlank() || visitor.visit(0, document.toString());
    }

    /** Every document is held whole and tokenized whole: one past {@link #MAX_DOCUMENT_CHARS} is refused. */
    private static void checkLength(StringBuilder document, Utf8Lines lines) {
        if (document.length() > MAX_DOCUMENT_CHARS) {
            throw new CorpusFormatException(lines.fileName() + " line " + lines.lineNumber()
                    + ": the document that reaches this line is over " + MAX_DOCUMENT_CHARS
                    + " characters; cut the file into smaller documents");
        }
    }

    private static boolean jsonDocuments(Utf8Lines lines, Path file, String field, DocumentVisitor visitor)
            throws IOException {
        for (String line; (line = lines.next()) != null; ) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (JsonProcessingException e) {
                throw new CorpusFormatException(file + " line " + lines.lineNumber() + " is not valid JSON: "
                        + e.getOriginalMessage());
            }
            JsonNode text = node == null ? null : node.get(field);
            if (text == null || !text.isTextual()) {
                throw new CorpusFormatException(file + " line " + lines.lineNumber() + " has no string field '" + field + "'");
            }
            if (!visitor.visit(0, text.asText())) {
                return false;
            }
        }
        return true;
    }
}

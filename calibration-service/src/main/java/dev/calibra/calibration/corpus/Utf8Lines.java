package dev.calibra.calibration.corpus;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads a byte stream as strict UTF-8 lines, one at a time (universal newlines: "\n", "\r\n" and a lone
 * "\r" end a line, as Python's text mode). A byte that is not UTF-8 is refused naming the file, line and
 * byte, instead of being replaced silently.
 */
final class Utf8Lines {

    /** Longest line accepted (64 MiB): past it the line is refused before its buffer can grow without end. */
    static final int MAX_LINE_BYTES = 64 << 20;

    private final InputStream in;
    private final String fileName;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private byte[] line = new byte[256];
    private int pending = -1;
    private long lineNumber;
    private long bytesRead;

    Utf8Lines(InputStream in, String fileName) {
        this.in = in;
        this.fileName = fileName;
    }

    /** The next line without its terminator, or null at the end. */
    String next() throws IOException {
        int length = 0;
        int b = pending >= 0 ? pending : in.read();
        pending = -1;
        if (b < 0) {
            return null;
        }
        while (b >= 0 && b != '\n' && b != '\r') {
            if (length == line.length) {
                if (length >= MAX_LINE_BYTES) {
                    throw new CorpusFormatException(fileName + " line " + (lineNumber + 1) + " is over " + MAX_LINE_BYTES
                            + " bytes; cut the file into shorter lines");
                }
                line = Arrays.copyOf(line, Math.min(length * 2, MAX_LINE_BYTES));
            }
            line[length++] = (byte) b;
            b = in.read();
        }
        bytesRead += length + (b >= 0 ? 1 : 0);
        if (b == '\r') {
            int after = in.read();
            if (after == '\n') {
                bytesRead++;
            } else {
                pending = after;
            }
        }
        lineNumber++;
        return decode(length);
    }

    String fileName() {
        return fileName;
    }

    /** 1-based number of the line last returned. */
    long lineNumber() {
        return lineNumber;
    }

    /** Bytes consumed so far (uncompressed). */
    long bytesRead() {
        return bytesRead;
    }

    private String decode(int length) throws CorpusFormatException {
        ByteBuffer bytes = ByteBuffer.wrap(line, 0, length);
        CharBuffer chars = CharBuffer.allocate(length);
        decoder.reset();
        CoderResult result = decoder.decode(bytes, chars, true);
        if (result.isError()) {
            int column = bytes.position();
            throw new CorpusFormatException(String.format("%s line %d: byte %d of the line (0x%02X) is not valid UTF-8",
                    fileName, lineNumber, column + 1, line[column] & 0xFF));
        }
        decoder.flush(chars);
        return chars.flip().toString();
    }
}

package dev.calibra.artifacts;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import software.amazon.awssdk.http.ContentStreamProvider;

/** One part of a multipart upload: {@code length} bytes of a file from {@code offset}, reopened for each retry. */
record FileRange(Path file, long offset, long length) implements ContentStreamProvider {

    @Override
    public InputStream newStream() {
        try {
            return new Bounded(Channels.newInputStream(Files.newByteChannel(file).position(offset)), length);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + " from byte " + offset, e);
        }
    }

    /** At most {@code remaining} bytes of a stream. */
    private static final class Bounded extends InputStream {
        private final InputStream in;
        private long remaining;

        Bounded(InputStream in, long remaining) {
            this.in = in;
            this.remaining = remaining;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int b = in.read();
            if (b >= 0) {
                remaining--;
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int n = in.read(buffer, offset, (int) Math.min(length, remaining));
            if (n > 0) {
                remaining -= n;
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}

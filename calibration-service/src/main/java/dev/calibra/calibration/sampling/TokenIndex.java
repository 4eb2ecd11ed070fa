package dev.calibra.calibration.sampling;

import dev.calibra.artifacts.ArtifactStore;
import dev.calibra.artifacts.ContentHash;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * The per-(corpus, tokenizer) token cache in the artifact store, under
 * {@code token-index/<corpus sha256[:16]>-<tokenizer sha256[:16]>/}: a stream of int32 little-endian
 * token ids ({@code *.i32}) and, for documents, the int64 little-endian start of each document plus the
 * end ({@code documents.idx}). Files appear atomically, so a reader sees a whole index or none; windows
 * are read with positional reads, never by loading the file.
 */
final class TokenIndex {

    /** Writes int32 little-endian tokens. */
    static final class TokenWriter {
        private final OutputStream out;
        private long written;

        TokenWriter(OutputStream out) {
            this.out = out;
        }

        void write(int[] tokens) throws IOException {
            ByteBuffer bytes = ByteBuffer.allocate(tokens.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            bytes.asIntBuffer().put(tokens);
            out.write(bytes.array());
            written += tokens.length;
        }

        long written() {
            return written;
        }
    }

    @FunctionalInterface
    interface Filler {
        void fill(TokenWriter writer) throws IOException;
    }

    private final ArtifactStore store;
    private final String folder;

    TokenIndex(ArtifactStore store, String corpusSha256, String tokenizerSha256, String rule) {
        this.store = store;
        String ruleHash = ContentHash.ofBytes(rule.getBytes(StandardCharsets.UTF_8)).substring(0, 8);
        this.folder = "token-index/" + corpusSha256.substring(0, 16) + "-" + tokenizerSha256.substring(0, 16) + "-" + ruleHash;
    }

    /** Key of the joined stream for a separator and chunk size. */
    static String joinedName(String separator, int chunkChars) {
        return "joined-" + ContentHash.ofBytes((separator + "\u0000" + chunkChars).getBytes(StandardCharsets.UTF_8))
                .substring(0, 16) + ".i32";
    }

    Optional<Path> find(String name) {
        String key = folder + "/" + name;
        return store.exists(key) ? Optional.of(store.resolve(store.uriOf(key))) : Optional.empty();
    }

    /** Writes a token file (skipped when another writer stored it first). */
    void write(String name, Filler filler) throws IOException {
        try {
            store.putFile(folder + "/" + name, out -> filler.fill(new TokenWriter(out)));
        } catch (FileAlreadyExistsException raced) {
            // the same tokens were stored meanwhile
        }
    }

    void writeOffsets(long[] offsets) throws IOException {
        try {
            store.putFile(folder + "/documents.idx", out -> {
                DataOutputStream data = new DataOutputStream(out);
                ByteBuffer bytes = ByteBuffer.allocate(offsets.length * 8).order(ByteOrder.LITTLE_ENDIAN);
                bytes.asLongBuffer().put(offsets);
                data.write(bytes.array());
                data.flush();
            });
        } catch (FileAlreadyExistsException raced) {
            // stored meanwhile
        }
    }

    static long[] readOffsets(Path file) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        long[] offsets = new long[bytes.remaining() / 8];
        bytes.asLongBuffer().get(offsets);
        return offsets;
    }

    /** {@code length} tokens from token {@code offset} of a token file. */
    static int[] read(Path file, long offset, int length) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer bytes = ByteBuffer.allocate(length * 4).order(ByteOrder.LITTLE_ENDIAN);
            long position = offset * 4;
            while (bytes.hasRemaining()) {
                int n = channel.read(bytes, position + bytes.position());
                if (n < 0) {
                    throw new IOException("token index " + file + " ends before token " + (offset + length));
                }
            }
            int[] tokens = new int[length];
            bytes.flip().asIntBuffer().get(tokens);
            return tokens;
        }
    }

    static long tokenCount(Path file) throws IOException {
        return Files.size(file) / 4;
    }
}

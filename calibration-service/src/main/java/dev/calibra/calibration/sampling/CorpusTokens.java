package dev.calibra.calibration.sampling;

import dev.calibra.artifacts.ArtifactStore;
import dev.calibra.calibration.corpus.DocumentReader;
import dev.calibra.model.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;

/**
 * A corpus seen through a tokenizer, read as a stream (never loaded whole): per-document token counts,
 * the tokens of chosen documents, and windows of the documents joined by a separator. Documents are
 * tokenized without BOS; the joined text is tokenized in chunks that end right after a separator at a
 * document boundary (chunk_chars is recorded, since chunk edges can change the ids there). With a
 * token cache the first pass writes a {@link TokenIndex} and later draws read windows from it. A chat
 * corpus's documents are its conversations as a chat template renders them ({@link #rendered}); the
 * joined stream is a text corpus's only.
 */
public final class CorpusTokens {

    /** Receives the joined stream's tokens chunk by chunk. */
    @FunctionalInterface
    interface ChunkVisitor {
        boolean visit(int[] tokens) throws IOException;
    }

    /** Receives each document with its tokens, made only when asked for; return false to stop. */
    @FunctionalInterface
    interface TokensVisitor {
        boolean visit(long index, java.util.function.Supplier<int[]> tokens) throws IOException;
    }

    /** Where each document's tokens come from, in document order; returns the number of documents. */
    @FunctionalInterface
    interface DocumentSource {
        long forEach(TokensVisitor visitor) throws IOException;
    }

    private static final String DOCUMENTS = "documents.i32";
    private static final String OFFSETS = "documents.idx";

    private final CorpusInput corpus;
    private final Tokenizer tokenizer;
    private final TokenIndex index;
    private final DocumentSource documents;
    private final boolean joinable;
    private int[] documentLengths;
    private long[] documentOffsets;

    public CorpusTokens(CorpusInput corpus, Tokenizer tokenizer, ArtifactStore tokenCache) {
        this(corpus, tokenizer, tokenCache, corpus.rule().label(), null);
    }

    private CorpusTokens(CorpusInput corpus, Tokenizer tokenizer, ArtifactStore tokenCache, String cacheKey,
            DocumentSource documents) {
        this.corpus = corpus;
        this.tokenizer = tokenizer;
        this.index = tokenCache == null || corpus.sha256().isEmpty() ? null
                : new TokenIndex(tokenCache, corpus.sha256(), tokenizer.sha256(), cacheKey);
        this.joinable = documents == null;
        this.documents = documents != null ? documents
                : visitor -> reader().forEach((i, text) -> visitor.visit(i, () -> tokenizer.encode(text, false)));
    }

    /**
     * A corpus whose documents are made by {@code documents} (a chat corpus's rendered conversations),
     * cached under {@code renderingKey}, which must name everything that changes the tokens (template hash
     * and switches) besides the corpus, its rule and the tokenizer.
     */
    static CorpusTokens rendered(CorpusInput corpus, Tokenizer tokenizer, ArtifactStore tokenCache, String renderingKey,
            DocumentSource documents) {
        return new CorpusTokens(corpus, tokenizer, tokenCache, corpus.rule().label() + "\u0000" + renderingKey, documents);
    }

    public CorpusInput corpus() {
        return corpus;
    }

    /** Token count of every document (one streaming pass, or the cached index). */
    public int[] documentLengths() throws IOException {
        if (documentLengths == null) {
            if (index != null) {
                long[] offsets = cachedOffsets();
                documentLengths = new int[offsets.length - 1];
                for (int i = 0; i < documentLengths.length; i++) {
                    documentLengths[i] = Math.toIntExact(offsets[i + 1] - offsets[i]);
                }
            } else {
                int[][] lengths = {new int[1024]};
                long count = documents.forEach((i, tokens) -> {
                    if (i == lengths[0].length) {
                        lengths[0] = Arrays.copyOf(lengths[0], lengths[0].length * 2);
                    }
                    lengths[0][(int) i] = tokens.get().length;
                    return true;
                });
                documentLengths = Arrays.copyOf(lengths[0], Math.toIntExact(count));
            }
        }
        return documentLengths;
    }

    /** Tokens of the chosen documents only. */
    public Map<Long, int[]> documents(NavigableSet<Long> indices) throws IOException {
        Map<Long, int[]> tokens = new HashMap<>();
        if (indices.isEmpty()) {
            return tokens;
        }
        if (index != null) {
            long[] offsets = cachedOffsets();
            Path file = index.find(DOCUMENTS).orElseThrow();
            for (long document : indices) {
                int d = Math.toIntExact(document);
                tokens.put(document, TokenIndex.read(file, offsets[d], Math.toIntExact(offsets[d + 1] - offsets[d])));
            }
            return tokens;
        }
        long last = indices.last();
        documents.forEach((i, made) -> {
            if (indices.contains(i)) {
                tokens.put(i, made.get());
            }
            return i < last;
        });
        return tokens;
    }

    /** Number of tokens of the joined stream. */
    public long joinedTokenCount(String separator, int chunkChars) throws IOException {
        if (index != null) {
            return TokenIndex.tokenCount(cachedJoined(separator, chunkChars));
        }
        long[] total = {0};
        forEachJoinedChunk(separator, chunkChars, tokens -> {
            total[0] += tokens.length;
            return true;
        });
        return total[0];
    }

    /** Windows of {@code length} tokens of the joined stream at the given offsets (any order). */
    public int[][] joinedWindows(long[] offsets, int length, String separator, int chunkChars) throws IOException {
        int[][] windows = new int[offsets.length][];
        if (index != null) {
            Path file = cachedJoined(separator, chunkChars);
            long total = TokenIndex.tokenCount(file);
            for (int i = 0; i < offsets.length; i++) {
                requireInside(offsets[i], length, total);
                windows[i] = TokenIndex.read(file, offsets[i], length);
            }
            return windows;
        }
        Integer[] order = new Integer[offsets.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Long.compare(offsets[a], offsets[b]));
        // A buffer holding the stream from bufferStart on, trimmed to what pending windows still need.
        int[][] buffer = {new int[0]};
        long[] bufferStart = {0};
        int[] next = {0};
        forEachJoinedChunk(separator, chunkChars, tokens -> {
            int[] grown = Arrays.copyOf(buffer[0], buffer[0].length + tokens.length);
            System.arraycopy(tokens, 0, grown, buffer[0].length, tokens.length);
            long end = bufferStart[0] + grown.length;
            while (next[0] < order.length && offsets[order[next[0]]] + length <= end) {
                int from = (int) (offsets[order[next[0]]] - bufferStart[0]);
                windows[order[next[0]]] = Arrays.copyOfRange(grown, from, from + length);
                next[0]++;
            }
            long keepFrom = next[0] < order.length ? Math.min(offsets[order[next[0]]], end) : end;
            buffer[0] = Arrays.copyOfRange(grown, (int) (keepFrom - bufferStart[0]), grown.length);
            bufferStart[0] = keepFrom;
            return next[0] < order.length;
        });
        if (next[0] < order.length) {
            requireInside(offsets[order[next[0]]], length, bufferStart[0] + buffer[0].length);
        }
        return windows;
    }

    private void requireInside(long offset, int length, long total) {
        if (offset < 0 || offset + length > total) {
            throw new IllegalArgumentException("window at token " + offset + " runs past the end of corpus " + corpus.name()
                    + " (" + total + " tokens)");
        }
    }

    void forEachJoinedChunk(String separator, int chunkChars, ChunkVisitor visitor) throws IOException {
        if (!joinable) {
            throw new IllegalStateException("corpus " + corpus.name() + " is read as rendered documents, not as joined text");
        }
        StringBuilder chunk = new StringBuilder();
        boolean[] stopped = {false};
        reader().forEach((i, text) -> {
            if (i > 0) {
                chunk.append(separator);
            }
            if (chunk.length() >= chunkChars) {
                if (!visitor.visit(tokenizer.encode(chunk.toString(), false))) {
                    stopped[0] = true;
                    return false;
                }
                chunk.setLength(0);
            }
            chunk.append(text);
            return true;
        });
        if (!stopped[0] && !chunk.isEmpty()) {
            visitor.visit(tokenizer.encode(chunk.toString(), false));
        }
    }

    /** Document offsets from the cache, tokenizing the corpus into it first when absent. */
    private long[] cachedOffsets() throws IOException {
        if (documentOffsets != null) {
            return documentOffsets;
        }
        Optional<Path> offsets = index.find(OFFSETS);
        if (offsets.isEmpty() || index.find(DOCUMENTS).isEmpty()) {
            long[][] built = {new long[1025]};
            int[] count = {0};
            index.write(DOCUMENTS, writer -> documents.forEach((i, made) -> {
                writer.write(made.get());
                if (count[0] + 2 > built[0].length) {
                    built[0] = Arrays.copyOf(built[0], built[0].length * 2);
                }
                built[0][++count[0]] = writer.written();
                return true;
            }));
            index.writeOffsets(Arrays.copyOf(built[0], count[0] + 1));
            offsets = index.find(OFFSETS);
        }
        documentOffsets = TokenIndex.readOffsets(offsets.orElseThrow());
        return documentOffsets;
    }

    private Path cachedJoined(String separator, int chunkChars) throws IOException {
        String name = TokenIndex.joinedName(separator, chunkChars);
        Optional<Path> file = index.find(name);
        if (file.isEmpty()) {
            index.write(name, writer -> forEachJoinedChunk(separator, chunkChars, tokens -> {
                writer.write(tokens);
                return true;
            }));
            file = index.find(name);
        }
        return file.orElseThrow();
    }

    private DocumentReader reader() throws IOException {
        return new DocumentReader(corpus.source(), corpus.rule());
    }
}

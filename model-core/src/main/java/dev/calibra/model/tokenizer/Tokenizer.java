package dev.calibra.model.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.calibra.artifacts.ContentHash;
import dev.calibra.model.ModelFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A HuggingFace tokenizer loaded from a local tokenizer.json only (never a hub name), with truncation
 * and padding off so whole texts come back whole. BOS/EOS follow tokenizer_config.json's
 * {@code add_bos_token}/{@code add_eos_token}; without those flags, tokenizer.json's post-processor decides.
 */
public final class Tokenizer implements AutoCloseable {

    private final HuggingFaceTokenizer tokenizer;
    private final TokenizerFiles files;
    private final String sha256;

    private Tokenizer(HuggingFaceTokenizer tokenizer, TokenizerFiles files, String sha256) {
        this.tokenizer = tokenizer;
        this.files = files;
        this.sha256 = sha256;
    }

    /** Opens a tokenizer.json file, or the one inside a model folder. */
    public static Tokenizer open(Path folderOrFile) throws IOException {
        Path json = Files.isDirectory(folderOrFile) ? folderOrFile.resolve(TokenizerFiles.TOKENIZER_JSON) : folderOrFile;
        TokenizerFiles files = TokenizerFiles.read(json);
        HuggingFaceTokenizer tokenizer;
        try {
            tokenizer = HuggingFaceTokenizer.builder()
                    .optTokenizerPath(json)
                    .optTruncation(false)
                    .optPadding(false)
                    .optAddSpecialTokens(false)
                    .build();
        } catch (RuntimeException e) {
            // the native library reports a tokenizer it cannot build as a plain RuntimeException
            throw new ModelFormatException(json.getFileName() + " is not a tokenizer the HuggingFace library can load: "
                    + e.getMessage(), e);
        }
        return new Tokenizer(tokenizer, files, ContentHash.ofFile(json));
    }

    /** Token ids of a text, with BOS/EOS as tokenizer_config.json says. */
    public int[] encode(String text) {
        if (files.addBosToken().isEmpty()) {
            int[] ids = toInts(tokenizer.encode(text, true, false).getIds());
            return files.addEosToken() ? append(ids, files.eosId()) : ids;
        }
        return encode(text, files.addBosToken().get());
    }

    /** Token ids of a text, with BOS prepended exactly when {@code addBos} (EOS per tokenizer_config.json). */
    public int[] encode(String text, boolean addBos) {
        int[] body = toInts(tokenizer.encode(text, false, false).getIds());
        if (addBos && files.bosId() < 0) {
            throw new IllegalStateException("tokenizer has no BOS token to prepend");
        }
        int[] ids = addBos ? prepend(files.bosId(), body) : body;
        return files.addEosToken() ? append(ids, files.eosId()) : ids;
    }

    /**
     * Token ids of an already formatted text, such as a rendered chat template: nothing is added (no BOS,
     * no EOS), as apply_chat_template tokenizes with add_special_tokens=False; special tokens written in
     * the text (a template's "&lt;s&gt;" or "&lt;|im_start|&gt;") map to their ids.
     */
    public int[] encodeFormatted(String text) {
        return toInts(tokenizer.encode(text, false, false).getIds());
    }

    /** Text of token ids, special tokens skipped. */
    public String decode(int[] ids) {
        return tokenizer.decode(Arrays.stream(ids).asLongStream().toArray(), true);
    }

    public int vocabSize() {
        return files.vocabSize();
    }

    public int bosId() {
        return files.bosId();
    }

    public int eosId() {
        return files.eosId();
    }

    /** sha256 (hex) of tokenizer.json, recorded with every calibration set. */
    public String sha256() {
        return sha256;
    }

    /** Refuses a model whose vocabulary does not fit this tokenizer ({@link dev.calibra.model.ModelPreconditionException}). */
    public void requireMatchesModel(int modelVocabSize) {
        files.requireMatchesModel(modelVocabSize);
    }

    private static int[] toInts(long[] ids) {
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }

    private static int[] prepend(int first, int[] rest) {
        int[] out = new int[rest.length + 1];
        out[0] = first;
        System.arraycopy(rest, 0, out, 1, rest.length);
        return out;
    }

    private static int[] append(int[] ids, int last) {
        int[] out = Arrays.copyOf(ids, ids.length + 1);
        out[ids.length] = last;
        return out;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}

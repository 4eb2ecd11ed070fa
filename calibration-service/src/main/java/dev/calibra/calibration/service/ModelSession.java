package dev.calibra.calibration.service;

import ai.djl.Device;
import dev.calibra.calibration.sampling.ModelAccess;
import dev.calibra.model.CausalLm;
import dev.calibra.model.ModelFolder;
import dev.calibra.model.chat.ChatTemplate;
import dev.calibra.model.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** A registered model's folder and tokenizer, with the weights loaded (on the CPU) only when first asked for. */
public final class ModelSession implements ModelAccess, AutoCloseable {

    private final ModelFolder folder;
    private final Tokenizer tokenizer;
    private CausalLm model;

    private ModelSession(ModelFolder folder, Tokenizer tokenizer) {
        this.folder = folder;
        this.tokenizer = tokenizer;
    }

    public static ModelSession open(Path path) throws IOException {
        ModelFolder folder = ModelFolder.open(path);
        try {
            return new ModelSession(folder, folder.openTokenizer());
        } catch (IOException | RuntimeException e) {
            folder.close();
            throw e;
        }
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** The model's context length in tokens (max_position_embeddings). */
    public int contextTokens() {
        return folder.config().maxPositionEmbeddings();
    }

    @Override
    public ChatTemplate chatTemplate(String name) throws IOException {
        return ChatTemplate.select(name, folder.path());
    }

    @Override
    public synchronized CausalLm model() {
        if (model == null) {
            try {
                model = folder.load(Device.cpu());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot load the model weights in " + folder.path(), e);
            }
        }
        return model;
    }

    @Override
    public void close() throws IOException {
        if (model != null) {
            model.close();
        }
        tokenizer.close();
        folder.close();
    }
}

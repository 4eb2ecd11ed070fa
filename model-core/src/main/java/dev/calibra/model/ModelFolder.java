package dev.calibra.model;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.calibra.artifacts.ContentHash;
import dev.calibra.model.awq.AwqCheckpoint;
import dev.calibra.model.awq.AwqConfig;
import dev.calibra.model.compressedtensors.CompressedTensorsCheckpoint;
import dev.calibra.model.compressedtensors.CompressedTensorsConfig;
import dev.calibra.model.config.ModelConfig;
import dev.calibra.model.config.ModelConfigs;
import dev.calibra.model.decoder.DecoderModel;
import dev.calibra.model.decoder.DecoderSpec;
import dev.calibra.model.gptq.GptqCheckpoint;
import dev.calibra.model.gptq.GptqConfig;
import dev.calibra.model.safetensors.Dtype;
import dev.calibra.model.safetensors.SafetensorsCheckpoint;
import dev.calibra.model.safetensors.TensorInfo;
import dev.calibra.model.safetensors.TensorSource;
import dev.calibra.model.tokenizer.Tokenizer;
import dev.calibra.model.tokenizer.TokenizerFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/**
 * A HuggingFace model folder (config.json, *.safetensors or an index, tokenizer.json), validated on
 * open: a missing or bad file is refused naming it ({@link ModelFormatException}); a tokenizer that
 * does not fit the model is refused with {@link ModelPreconditionException}.
 */
public final class ModelFolder implements AutoCloseable {

    public static final String CONFIG_JSON = "config.json";

    private final Path path;
    private final ModelConfig config;
    private final TensorSource checkpoint;
    private final TokenizerFiles tokenizerFiles;

    private ModelFolder(Path path, ModelConfig config, TensorSource checkpoint, TokenizerFiles tokenizerFiles) {
        this.path = path;
        this.config = config;
        this.checkpoint = checkpoint;
        this.tokenizerFiles = tokenizerFiles;
    }

    public static ModelFolder open(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            throw new ModelFormatException("model folder " + folder + " does not exist or is not a folder");
        }
        Path configJson = folder.resolve(CONFIG_JSON);
        if (!Files.isRegularFile(configJson)) {
            throw new ModelFormatException("model folder " + folder + " has no " + CONFIG_JSON);
        }
        Path tokenizerJson = folder.resolve(TokenizerFiles.TOKENIZER_JSON);
        if (!Files.isRegularFile(tokenizerJson)) {
            throw new ModelFormatException("model folder " + folder + " has no " + TokenizerFiles.TOKENIZER_JSON);
        }
        ModelConfig config = ModelConfigs.read(configJson);
        TokenizerFiles tokenizerFiles = TokenizerFiles.read(tokenizerJson);
        TensorSource checkpoint = dequantizing(configJson, SafetensorsCheckpoint.open(folder));
        config = matchPrefix(config, checkpoint);
        try {
            tokenizerFiles.requireMatchesModel(config.vocabSize());
            return new ModelFolder(folder, config, checkpoint, tokenizerFiles);
        } catch (RuntimeException e) {
            checkpoint.close();
            throw e;
        }
    }

    /**
     * A GPTQ- or AWQ-packed folder reads back dequantized to float32; a quantization_config of any other method
     * is refused by name rather than read as if its tensors were plain weights.
     */
    private static TensorSource dequantizing(Path configJson, TensorSource checkpoint) throws IOException {
        try {
            JsonNode config = new ObjectMapper().readTree(configJson.toFile());
            JsonNode method = config.path(GptqConfig.KEY).path("quant_method");
            if (method.isMissingNode() || method.isNull()) {
                return checkpoint;
            }
            return switch (method.asText()) {
                case "gptq" -> new GptqCheckpoint(checkpoint, GptqConfig.of(config));
                case "awq" -> new AwqCheckpoint(checkpoint, AwqConfig.of(config));
                case CompressedTensorsConfig.METHOD -> new CompressedTensorsCheckpoint(checkpoint, CompressedTensorsConfig.of(config));
                default -> throw new ModelFormatException(configJson + ": quantization_config.quant_method '" + method.asText()
                        + "' is not one Calibra reads (gptq, awq, compressed-tensors)");
            };
        } catch (IOException | RuntimeException e) {
            checkpoint.close();
            throw e;
        }
    }

    /** The family's names under the prefix this checkpoint uses, when it uses another one the family knows. */
    private static ModelConfig matchPrefix(ModelConfig config, TensorSource checkpoint) {
        DecoderSpec.TensorNames names = config.decoder().names();
        if (checkpoint.contains(names.global(names.embedTokens()))) {
            return config;
        }
        for (String prefix : config.family().alternativePrefixes()) {
            if (checkpoint.contains(prefix + names.embedTokens())) {
                return config.withDecoder(config.decoder().withNames(names.withPrefix(prefix)));
            }
        }
        return config;
    }

    public Path path() {
        return path;
    }

    public ModelConfig config() {
        return config;
    }

    /** The HF architecture name config.json gives, e.g. "Qwen3ForCausalLM". */
    public String architecture() {
        return config.architecture();
    }

    public TensorSource checkpoint() {
        return checkpoint;
    }

    public TokenizerFiles tokenizerFiles() {
        return tokenizerFiles;
    }

    /** Number of parameters: the sum of every stored tensor's element count. */
    public long parameterCount() {
        long total = 0;
        for (String name : checkpoint.tensorNames()) {
            total += checkpoint.info(name).elementCount();
        }
        return total;
    }

    /** The stored dtype holding most elements, as torch names it ("float32", "bfloat16", ...). */
    public String dtype() {
        Map<Dtype, Long> elements = new EnumMap<>(Dtype.class);
        for (String name : checkpoint.tensorNames()) {
            TensorInfo info = checkpoint.info(name);
            elements.merge(info.dtype(), info.elementCount(), Long::sum);
        }
        return elements.entrySet().stream().max(Map.Entry.comparingByValue())
                .map(entry -> entry.getKey().torchName()).orElse(config.torchDtype());
    }

    /** sha256 of the folder's content (see {@link ContentHash#ofFolder}). */
    public String sha256() throws IOException {
        return ContentHash.ofFolder(path);
    }

    /** Loads the native tokenizer (close it when done). */
    public Tokenizer openTokenizer() throws IOException {
        return Tokenizer.open(path.resolve(TokenizerFiles.TOKENIZER_JSON));
    }

    /** The model on {@code device}; it reads weights from this folder, which must stay open. */
    public CausalLm load(Device device) throws IOException {
        return DecoderModel.load(config, checkpoint, device);
    }

    @Override
    public void close() throws IOException {
        checkpoint.close();
    }
}

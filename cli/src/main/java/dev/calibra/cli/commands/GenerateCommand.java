package dev.calibra.cli.commands;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.calibra.cli.Artifacts;
import dev.calibra.cli.CalibraCommand;
import dev.calibra.cli.FlagValues;
import dev.calibra.cli.ModelSources;
import dev.calibra.cli.Output;
import dev.calibra.cli.Services;
import dev.calibra.hub.HubReference;
import dev.calibra.model.CausalLm;
import dev.calibra.model.Devices;
import dev.calibra.model.ModelFolder;
import dev.calibra.model.generation.GenerationResult;
import dev.calibra.model.generation.GenerationSettings;
import dev.calibra.model.generation.Generator;
import dev.calibra.model.tokenizer.Tokenizer;
import dev.calibra.proto.v1.GetModelRequest;
import dev.calibra.proto.v1.Model;
import dev.calibra.proto.v1.RegistryGrpc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** calibra generate: runs a model locally through model-core (greedy by default). */
@Command(name = "generate", description = "Continue a prompt with a registered model or a model folder.")
public final class GenerateCommand implements Callable<Integer> {

    @picocli.CommandLine.ParentCommand CalibraCommand root;

    @Option(names = "--model", required = true,
            description = "Model id or name in the registry, a model folder, or hf://ORG/NAME[@REV] (pulled into the hub cache).")
    String model;

    @Option(names = "--prompt", defaultValue = "", description = "Text to continue; empty starts from BOS alone.")
    String prompt;

    @Option(names = "--max-new-tokens", defaultValue = "64", converter = FlagValues.Positive.class)
    int maxNewTokens;

    @Option(names = "--temperature", defaultValue = "0", converter = FlagValues.NonNegativeNumber.class, description = "0 = greedy (default).")
    double temperature;

    @Option(names = "--top-k", defaultValue = "0", converter = FlagValues.NonNegative.class, description = "0 = off.")
    int topK;

    @Option(names = "--top-p", defaultValue = "1", converter = FlagValues.Fraction.class)
    double topP;

    @Option(names = "--repetition-penalty", defaultValue = "1", converter = FlagValues.PositiveNumber.class)
    double repetitionPenalty;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the sampler (splitmix64-v1).")
    long seed;

    @Option(names = "--gpu", description = "Use a GPU when one is present.")
    boolean gpu;

    @Override
    public Integer call() throws Exception {
        Output output = root.output();
        GenerationSettings settings = new GenerationSettings(maxNewTokens, temperature, topK, topP, repetitionPenalty, seed, true);
        Path folder = resolve();
        try (ModelFolder files = ModelFolder.open(folder);
                Tokenizer tokenizer = files.openTokenizer();
                CausalLm lm = files.load(Devices.choose(gpu))) {
            int[] promptIds = prompt.isEmpty() ? new int[0] : tokenizer.encode(prompt);
            GenerationResult result = new Generator(lm).generate(promptIds, settings);
            String text = continuation(tokenizer, promptIds, result.tokens());
            output.line(prompt + text);
            ObjectNode json = output.object();
            json.put("text", text);
            var ids = json.putArray("token_ids");
            for (int id : result.tokens()) {
                ids.add(id);
            }
            json.put("prompt_tokens", promptIds.length);
            json.put("stop_reason", result.stopReason().name().toLowerCase(java.util.Locale.ROOT));
            json.put("model_path", folder.toString());
            output.emit(json);
        }
        return 0;
    }

    /** Decodes prompt + continuation and cuts the prompt off, so the continuation keeps its leading space. */
    static String continuation(Tokenizer tokenizer, int[] promptIds, int[] newIds) {
        int[] all = java.util.Arrays.copyOf(promptIds, promptIds.length + newIds.length);
        System.arraycopy(newIds, 0, all, promptIds.length, newIds.length);
        String full = tokenizer.decode(all);
        String prefix = tokenizer.decode(promptIds);
        return full.startsWith(prefix) ? full.substring(prefix.length()) : tokenizer.decode(newIds);
    }

    private Path resolve() throws java.io.IOException {
        if (HubReference.isHubUri(model)) {
            return new ModelSources(root.env(), root.stackConfig(), root.output()).resolve(model, "--model").folder();
        }
        Path local = Path.of(model);
        if (Files.isDirectory(local)) {
            return local.toAbsolutePath().normalize();
        }
        try (Services services = root.services()) {
            Model registered = RegistryGrpc.newBlockingStub(services.channel("registry"))
                    .getModel(GetModelRequest.newBuilder().setId(model).build());
            return Artifacts.localCopy(root, registered.getArtifactUri());
        }
    }
}

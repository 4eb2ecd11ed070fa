package dev.calibra.registry.study;

import dev.calibra.proto.v1.CalibrationSpec;
import com.google.protobuf.Descriptors.FieldDescriptor;
import dev.calibra.proto.v1.CompressionParameters;
import dev.calibra.proto.v1.OutputDtype;
import dev.calibra.proto.v1.OutputFormat;
import dev.calibra.proto.v1.PerplexityConvention;
import dev.calibra.proto.v1.PerplexitySpec;
import dev.calibra.proto.v1.StudyEvaluation;
import dev.calibra.proto.v1.StudyMethod;
import dev.calibra.proto.v1.StudySource;
import dev.calibra.proto.v1.StudySpec;
import dev.calibra.proto.v1.WeightedCorpus;
import java.io.StringReader;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads a study spec written as YAML (examples/demo.yaml) into the StudySpec message. Method
 * parameters sit directly under the method ("methods[2].bits"), and models and corpora are named as
 * registered; {@link StudySpecValidator} checks values and resolves names afterwards.
 */
public final class StudySpecYaml {

    private static final Set<String> TOP = Set.of("name", "models", "methods", "sources", "evaluation", "include_dense");
    /** A method entry: its label, name and format, and every CompressionParameters field by its proto name. */
    private static final Set<String> METHOD = methodKeys();
    private static final Set<String> SOURCE = Set.of("label", "strategy", "corpus", "corpora", "n_samples", "seq_len", "seed",
            "sets", "parameters");
    private static final Set<String> WEIGHTED = Set.of("corpus", "weight");
    private static final Set<String> EVALUATION = Set.of("tasks", "limit", "batch_size", "perplexity");
    private static final Set<String> PERPLEXITY = Set.of("name", "corpus", "path", "seq_len", "convention", "max_tokens");

    private StudySpecYaml() {}

    /** Parses the text; refuses it, naming every bad path and line, when it does not read as a study. */
    public static StudySpec parse(String yamlText) {
        SpecErrors errors = new SpecErrors();
        StudySpec spec = parse(yamlText, errors);
        errors.throwIfAny();
        return spec;
    }

    static StudySpec parse(String yamlText, SpecErrors errors) {
        Node root;
        try {
            root = new Yaml(new LoaderOptions()).compose(new StringReader(yamlText));
        } catch (MarkedYAMLException e) {
            errors.add("spec_yaml", "is not valid YAML at line " + (e.getProblemMark().getLine() + 1) + ", column "
                    + (e.getProblemMark().getColumn() + 1) + ": " + e.getProblem());
            return StudySpec.getDefaultInstance();
        }
        if (root == null) {
            errors.add("spec_yaml", "is empty");
            return StudySpec.getDefaultInstance();
        }
        StudySpec.Builder spec = StudySpec.newBuilder();
        Map<String, YamlNode> top = new YamlNode(root, "", errors).mapping(TOP);
        ifPresent(top, "name", node -> spec.setName(node.text()));
        ifPresent(top, "include_dense", node -> spec.setIncludeDense(node.bool()));
        ifPresent(top, "models", node -> node.sequence().forEach(model -> spec.addModels(model.text())));
        ifPresent(top, "methods", node -> node.sequence().forEach(method -> spec.addMethods(method(method))));
        ifPresent(top, "sources", node -> node.sequence().forEach(source -> spec.addSources(source(source))));
        ifPresent(top, "evaluation", node -> spec.setEvaluation(evaluation(node)));
        return spec.build();
    }

    private static Set<String> methodKeys() {
        Set<String> keys = new java.util.LinkedHashSet<>(List.of("label", "method", "format", "dtype", "target"));
        CompressionParameters.getDescriptor().getFields().forEach(field -> keys.add(field.getName()));
        return Set.copyOf(keys);
    }

    private static StudyMethod method(YamlNode node) {
        Map<String, YamlNode> keys = node.mapping(METHOD);
        StudyMethod.Builder method = StudyMethod.newBuilder();
        CompressionParameters.Builder p = CompressionParameters.newBuilder();
        ifPresent(keys, "label", n -> method.setLabel(n.text()));
        ifPresent(keys, "method", n -> method.setMethod(n.text().strip().toLowerCase(Locale.ROOT)));
        ifPresent(keys, "format", n -> method.setFormat(format(n)));
        ifPresent(keys, "dtype", n -> method.setDtype(dtype(n)));
        ifPresent(keys, "target", n -> method.setTarget(n.text().strip().toLowerCase(Locale.ROOT)));
        // every parameter by its field: the contract (MethodContracts) then says which the method reads
        for (FieldDescriptor field : CompressionParameters.getDescriptor().getFields()) {
            ifPresent(keys, field.getName(), n -> p.setField(field, switch (field.getJavaType()) {
                case INT -> n.integer();
                case DOUBLE -> n.text().strip().matches("(?i)\\.?inf(inity)?") ? Double.POSITIVE_INFINITY : n.number();
                case BOOLEAN -> n.bool();
                default -> n.text();
            }));
        }
        return method.setParameters(p).build();
    }

    private static OutputDtype dtype(YamlNode node) {
        String text = node.text().strip().toLowerCase(Locale.ROOT);
        return switch (text) {
            case "base" -> OutputDtype.OUTPUT_DTYPE_BASE;
            case "float32" -> OutputDtype.OUTPUT_DTYPE_FLOAT32;
            default -> {
                node.errors().add(node.path(), "must be base or float32, got '" + text + "'");
                yield OutputDtype.OUTPUT_DTYPE_UNSPECIFIED;
            }
        };
    }

    private static OutputFormat format(YamlNode node) {
        String text = node.text().strip().toLowerCase(Locale.ROOT);
        return switch (text) {
            case "auto" -> OutputFormat.OUTPUT_FORMAT_AUTO;
            case "gptq" -> OutputFormat.OUTPUT_FORMAT_GPTQ;
            case "awq" -> OutputFormat.OUTPUT_FORMAT_AWQ;
            case "compressed-tensors", "compressed_tensors" -> OutputFormat.OUTPUT_FORMAT_COMPRESSED_TENSORS;
            case "dense" -> OutputFormat.OUTPUT_FORMAT_DENSE;
            default -> {
                node.errors().add(node.path(), "must be auto, gptq, awq, compressed-tensors or dense, got '" + text + "'");
                yield OutputFormat.OUTPUT_FORMAT_UNSPECIFIED;
            }
        };
    }

    private static StudySource source(YamlNode node) {
        Map<String, YamlNode> keys = node.mapping(SOURCE);
        StudySource.Builder source = StudySource.newBuilder().setSets(1);
        CalibrationSpec.Builder spec = CalibrationSpec.newBuilder();
        ifPresent(keys, "label", n -> source.setLabel(n.text()));
        ifPresent(keys, "strategy", n -> spec.setStrategy(n.text().strip()));
        ifPresent(keys, "corpus", n -> spec.addCorpora(WeightedCorpus.newBuilder().setCorpusId(n.text()).setWeight(1)));
        ifPresent(keys, "corpora", n -> n.sequence().forEach(item -> spec.addCorpora(weighted(item))));
        ifPresent(keys, "n_samples", n -> spec.setNSamples(n.integer()));
        ifPresent(keys, "seq_len", n -> spec.setSeqLen(n.integer()));
        ifPresent(keys, "seed", n -> spec.setSeed(n.longInteger()));
        ifPresent(keys, "sets", n -> source.setSets(n.integer()));
        ifPresent(keys, "parameters", n -> {
            if (!n.isMapping()) {
                n.errors().add(n.path(), "must be a mapping of parameter names to values");
                return;
            }
            org.yaml.snakeyaml.nodes.MappingNode mapping = (org.yaml.snakeyaml.nodes.MappingNode) n.node();
            mapping.getValue().forEach(tuple -> {
                String key = ((org.yaml.snakeyaml.nodes.ScalarNode) tuple.getKeyNode()).getValue();
                spec.putParameters(key, new YamlNode(tuple.getValueNode(), n.path() + "." + key, n.errors()).text());
            });
        });
        return source.setSpec(spec).build();
    }

    private static WeightedCorpus weighted(YamlNode node) {
        if (!node.isMapping()) {
            return WeightedCorpus.newBuilder().setCorpusId(node.text()).setWeight(1).build();
        }
        Map<String, YamlNode> keys = node.mapping(WEIGHTED);
        WeightedCorpus.Builder corpus = WeightedCorpus.newBuilder().setWeight(1);
        ifPresent(keys, "corpus", n -> corpus.setCorpusId(n.text()));
        ifPresent(keys, "weight", n -> corpus.setWeight(n.number()));
        return corpus.build();
    }

    private static StudyEvaluation evaluation(YamlNode node) {
        Map<String, YamlNode> keys = node.mapping(EVALUATION);
        StudyEvaluation.Builder evaluation = StudyEvaluation.newBuilder();
        ifPresent(keys, "tasks", n -> n.sequence().forEach(task -> evaluation.addTasks(task.text().strip())));
        ifPresent(keys, "limit", n -> evaluation.setLimit(n.integer()));
        ifPresent(keys, "batch_size", n -> evaluation.setBatchSize(n.integer()));
        ifPresent(keys, "perplexity", n -> n.sequence().forEach(item -> evaluation.addPerplexity(perplexity(item))));
        return evaluation.build();
    }

    private static PerplexitySpec perplexity(YamlNode node) {
        Map<String, YamlNode> keys = node.mapping(PERPLEXITY);
        PerplexitySpec.Builder perplexity = PerplexitySpec.newBuilder();
        ifPresent(keys, "name", n -> perplexity.setName(n.text()));
        ifPresent(keys, "corpus", n -> perplexity.setCorpusId(n.text()));
        ifPresent(keys, "path", n -> perplexity.setPath(n.text()));
        ifPresent(keys, "seq_len", n -> perplexity.setSeqLen(n.integer()));
        ifPresent(keys, "max_tokens", n -> perplexity.setMaxTokens(n.longInteger()));
        ifPresent(keys, "convention", n -> {
            String text = n.text().strip().toLowerCase(Locale.ROOT);
            switch (text) {
                case "gptq" -> perplexity.setConvention(PerplexityConvention.PERPLEXITY_CONVENTION_GPTQ);
                case "rolling" -> perplexity.setConvention(PerplexityConvention.PERPLEXITY_CONVENTION_ROLLING);
                default -> n.errors().add(n.path(), "must be gptq or rolling, got '" + text + "'");
            }
        });
        return perplexity.build();
    }

    private static void ifPresent(Map<String, YamlNode> keys, String key, java.util.function.Consumer<YamlNode> read) {
        YamlNode node = keys.get(key);
        if (node != null) {
            read.accept(node);
        }
    }
}

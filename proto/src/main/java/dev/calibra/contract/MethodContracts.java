package dev.calibra.contract;

import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import dev.calibra.proto.v1.CompressionMethod;
import dev.calibra.proto.v1.CompressionParameters;
import dev.calibra.proto.v1.CompressionOuterClass;
import dev.calibra.proto.v1.MethodInfo;
import dev.calibra.proto.v1.OutputFormat;
import dev.calibra.proto.v1.ParameterInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The compression methods and their parameter rules, read from the contract itself (the
 * {@code method_info} option on each CompressionMethod value in compression.proto). The registry, the CLI
 * and compression-service all check requests here, so a method's rules exist once; compression-service's
 * method records add only what a rule table cannot say.
 */
public final class MethodContracts {

    private static final Map<String, MethodInfo> METHODS = load();

    private MethodContracts() {}

    private static Map<String, MethodInfo> load() {
        Map<String, MethodInfo> methods = new LinkedHashMap<>();
        for (EnumValueDescriptor value : CompressionMethod.getDescriptor().getValues()) {
            if (value.getOptions().hasExtension(CompressionOuterClass.methodInfo)) {
                MethodInfo info = value.getOptions().getExtension(CompressionOuterClass.methodInfo);
                for (ParameterInfo parameter : info.getParametersList()) {
                    if (CompressionParameters.getDescriptor().findFieldByName(parameter.getName()) == null) {
                        throw new IllegalStateException(info.getName() + ": parameter " + parameter.getName()
                                + " is not a CompressionParameters field");
                    }
                    new AllowedValues(parameter.getAllowed());   // fails at load when a rule is malformed
                }
                methods.put(info.getName(), info);
            }
        }
        return Map.copyOf(methods);
    }

    /** Every method, in contract order. */
    public static List<MethodInfo> all() {
        List<MethodInfo> all = new ArrayList<>();
        for (EnumValueDescriptor value : CompressionMethod.getDescriptor().getValues()) {
            if (value.getOptions().hasExtension(CompressionOuterClass.methodInfo)) {
                all.add(METHODS.get(value.getOptions().getExtension(CompressionOuterClass.methodInfo).getName()));
            }
        }
        return all;
    }

    public static Optional<MethodInfo> find(String name) {
        return Optional.ofNullable(METHODS.get(name));
    }

    /** The names, comma-separated, for error messages. */
    public static String names() {
        return all().stream().map(MethodInfo::getName).collect(Collectors.joining(", "));
    }

    /**
     * Every problem of a method and its parameters, each a sentence that starts with the field it is about
     * ("bits: must be 2 or 3 or 4 or 8, got 5"); empty when the request follows the contract. Checked: the
     * method exists; each field that is set is one the method reads and lies in its allowed values; pruning
     * gives either sparsity or prune_n:prune_m with 0 < prune_n < prune_m.
     */
    public static List<String> problems(String method, CompressionParameters parameters) {
        List<String> problems = new ArrayList<>();
        MethodInfo info = METHODS.get(method);
        if (info == null) {
            problems.add("method: " + (method.isEmpty() ? "is required" : "'" + method + "' is not a known method") + "; known: " + names());
            return problems;
        }
        Map<String, ParameterInfo> read = new LinkedHashMap<>();
        info.getParametersList().forEach(parameter -> read.put(parameter.getName(), parameter));
        for (Map.Entry<FieldDescriptor, Object> field : parameters.getAllFields().entrySet()) {
            String name = field.getKey().getName();
            ParameterInfo parameter = read.get(name);
            if (parameter == null) {
                problems.add(name + ": " + method + " does not read it; its parameters are " + String.join(", ", read.keySet()));
            } else if (field.getValue() instanceof Number number && !new AllowedValues(parameter.getAllowed()).allows(number.doubleValue())) {
                problems.add(name + ": " + new AllowedValues(parameter.getAllowed()).requirement() + ", got " + field.getValue());
            }
        }
        if (info.getKind().equals("pruning")) {
            boolean pattern = parameters.hasPruneN() || parameters.hasPruneM();
            if (pattern && parameters.hasSparsity()) {
                problems.add("sparsity: give either sparsity or prune_n:prune_m, not both");
            } else if (pattern && !(parameters.hasPruneN() && parameters.hasPruneM() && parameters.getPruneN() < parameters.getPruneM())) {
                problems.add("prune_n: N:M needs both prune_n and prune_m with 0 < N < M, got " + parameters.getPruneN() + ":"
                        + parameters.getPruneM());
            } else if (!pattern && !parameters.hasSparsity()) {
                problems.add("sparsity: " + method + " needs a sparsity in (0, 1) or prune_n:prune_m");
            }
        }
        return problems;
    }

    /** Bits each packed format holds (a format missing here holds any). */
    private static final Map<String, Integer> FORMAT_BITS = Map.of("awq", 4);

    /**
     * Why a method's results cannot be stored in {@code format} with these parameters ("format: ..."), or empty:
     * auto and dense hold anything; a packed format only the methods whose contract lists it, at the bits it
     * holds. What depends on the model's shapes (group sizes dividing widths) is checked where the model is read.
     */
    public static Optional<String> formatProblem(String method, OutputFormat format, CompressionParameters parameters) {
        if (format == OutputFormat.OUTPUT_FORMAT_UNSPECIFIED || format == OutputFormat.OUTPUT_FORMAT_AUTO
                || format == OutputFormat.OUTPUT_FORMAT_DENSE || !METHODS.containsKey(method)) {
            return Optional.empty();
        }
        if (format == OutputFormat.UNRECOGNIZED) {
            return Optional.of("format: unknown value");
        }
        String name = format.name().substring("OUTPUT_FORMAT_".length()).toLowerCase(java.util.Locale.ROOT);
        List<String> packing = all().stream().filter(info -> info.getPackedFormatsList().contains(name)).map(MethodInfo::getName).toList();
        if (!METHODS.get(method).getPackedFormatsList().contains(name)) {
            return Optional.of("format: " + name + " packs the results of " + String.join(", ", packing) + "; " + method
                    + " is not stored that way (use auto or dense)");
        }
        Integer bits = FORMAT_BITS.get(name);
        Object given = value(method, parameters, "bits").orElse(null);
        if (name.equals("compressed_tensors") && Integer.valueOf(3).equals(given)) {
            return Optional.of("format: compressed_tensors is written for 2, 4 or 8 bits (its 3-bit packing differs between"
                    + " compressed-tensors versions); bits is 3 (use gptq, auto or dense)");
        }
        if (bits != null && given != null && !given.equals(bits)) {
            return Optional.of("format: " + name + " stores " + bits + "-bit weights; bits is " + given + " (use auto or dense)");
        }
        return Optional.empty();
    }

    /** {@link #problems} as one IllegalArgumentException (its message names the first field), or nothing. */
    public static void check(String method, CompressionParameters parameters) {
        List<String> problems = problems(method, parameters);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
    }

    /** The method's contract; {@link IllegalArgumentException} naming the known ones. */
    public static MethodInfo require(String method) {
        MethodInfo info = METHODS.get(method);
        if (info == null) {
            throw new IllegalArgumentException("method: '" + method + "' is not a known method; known: " + names());
        }
        return info;
    }

    /** A parameter's value: the one set, else the method's default; empty when neither (pruning's sparsity). */
    public static Optional<Object> value(String method, CompressionParameters parameters, String name) {
        FieldDescriptor field = CompressionParameters.getDescriptor().findFieldByName(name);
        if (field == null) {
            throw new IllegalArgumentException(name + " is not a CompressionParameters field");
        }
        if (parameters.hasField(field)) {
            return Optional.of(parameters.getField(field));
        }
        return require(method).getParametersList().stream().filter(parameter -> parameter.getName().equals(name)).findFirst()
                .filter(parameter -> !parameter.getDefaultValue().isEmpty())
                .map(parameter -> parse(field, parameter.getDefaultValue()));
    }

    private static Object parse(FieldDescriptor field, String text) {
        return switch (field.getJavaType()) {
            case INT -> Integer.parseInt(text);
            case DOUBLE -> text.equals("inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(text);
            case BOOLEAN -> Boolean.parseBoolean(text);
            default -> text;
        };
    }
}

package dev.calibra.compression.service;

import dev.calibra.compression.driver.Method;
import dev.calibra.proto.v1.ListMethodsResponse;
import dev.calibra.proto.v1.MethodInfo;
import dev.calibra.proto.v1.ParameterInfo;
import java.util.ArrayList;
import java.util.List;

/** Compression.ListMethods: each method with its parameters and their defaults. */
public final class MethodCatalog {

    private MethodCatalog() {}

    public static ListMethodsResponse describe() {
        ListMethodsResponse.Builder response = ListMethodsResponse.newBuilder();
        for (Method method : Method.values()) {
            response.addMethods(MethodInfo.newBuilder().setName(method.wireName())
                    .setKind(method.isQuantization() ? "quantization" : "pruning")
                    .setNeedsCalibration(method.needsCalibration()).setReference(method.reference())
                    .setDescription(method.description()).addAllParameters(parameters(method)));
        }
        return response.build();
    }

    private static List<ParameterInfo> parameters(Method method) {
        List<ParameterInfo> p = new ArrayList<>();
        if (method.isQuantization()) {
            p.add(param("bits", "int", "4", "2, 3, 4, 8", "bits per weight"));
            p.add(param("group_size", "int", "-1", "-1 or > 0", "input columns sharing one scale and zero point; -1 per output channel"));
            p.add(param("sym", "bool", "false", "", "symmetric grid (zero point fixed at 2^(bits-1))"));
        } else {
            p.add(param("sparsity", "double", "", "(0, 1)", "fraction of weights set to zero (unstructured)"));
            p.add(param("prune_n", "int", "0", "0 < n < m", "N of N:M semi-structured sparsity (e.g. 2 of 2:4); instead of sparsity"));
            p.add(param("prune_m", "int", "0", "m >= 2", "M of N:M semi-structured sparsity"));
        }
        if (method == Method.GPTQ) {
            p.add(param("act_order", "bool", "false", "", "quantize columns by decreasing Hessian diagonal (desc_act)"));
        }
        if (method == Method.GPTQ || method == Method.SPARSEGPT) {
            p.add(param("damp_percent", "double", "0.01", "> 0", "dampening added to the Hessian diagonal, as a fraction of its mean"));
            p.add(param("block_size", "int", "128", ">= 1", "columns per lazy batch update"));
        }
        if (method.needsCalibration()) {
            p.add(param("true_sequential", "bool", "false", "", "re-capture inputs after each group of linears (q/k/v, o, gate/up, down)"));
        }
        p.add(param("batch_size", "int", "8", ">= 1", "calibration sequences per block forward"));
        return p;
    }

    private static ParameterInfo param(String name, String type, String defaultValue, String allowed, String description) {
        return ParameterInfo.newBuilder().setName(name).setType(type).setDefaultValue(defaultValue).setAllowed(allowed)
                .setDescription(description).build();
    }
}

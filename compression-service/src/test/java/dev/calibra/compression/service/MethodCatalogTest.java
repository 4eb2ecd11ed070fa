package dev.calibra.compression.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.calibra.compression.spec.MethodSpec;
import dev.calibra.proto.v1.CompressionParameters;
import dev.calibra.proto.v1.ListMethodsResponse;
import dev.calibra.proto.v1.MethodInfo;
import dev.calibra.proto.v1.ParameterInfo;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class MethodCatalogTest {

    @Test
    void describe_listsEveryMethodOfTheContract_withTheReferenceDefaults() {
        ListMethodsResponse response = MethodCatalog.describe();
        assertEquals("gptq,rtn,spqr,awq,sparsegpt,wanda,magnitude",
                response.getMethodsList().stream().map(MethodInfo::getName).collect(Collectors.joining(",")));
        Map<String, String> gptq = defaults(response.getMethods(0));
        assertEquals(Map.of("bits", "4", "group_size", "-1", "sym", "false", "act_order", "false", "damp_percent", "0.01",
                "block_size", "128", "true_sequential", "false", "batch_size", "8"), gptq);
        Map<String, String> spqr = defaults(response.getMethods(2));
        assertEquals("3", spqr.get("bits"));
        assertEquals("16", spqr.get("group_size"));
        assertEquals("0.2", spqr.get("outlier_threshold"));
        assertEquals("true", spqr.get("act_order"));
        assertEquals("1.0", spqr.get("damp_percent"));
        assertEquals("20", defaults(response.getMethods(3)).get("scale_grid"));
        assertEquals(false, response.getMethods(6).getNeedsCalibration());
    }

    private static Map<String, String> defaults(MethodInfo method) {
        return method.getParametersList().stream().collect(Collectors.toMap(ParameterInfo::getName, ParameterInfo::getDefaultValue));
    }

    /** Each method's record reads its contract's defaults and reports parameters the contract lists. */
    @Test
    void everyContractMethod_hasARecord_thatReportsOnlyContractParameters() {
        for (MethodInfo method : MethodCatalog.describe().getMethodsList()) {
            CompressionParameters defaults = method.getKind().equals("pruning")
                    ? CompressionParameters.newBuilder().setSparsity(0.5).build() : CompressionParameters.getDefaultInstance();
            MethodSpec spec = MethodSpec.from(method.getName(), defaults);
            assertEquals(method, spec.contract());
            Set<String> contract = method.getParametersList().stream().map(ParameterInfo::getName).collect(Collectors.toSet());
            for (String reported : spec.parameters().keySet()) {
                assertTrue(contract.contains(reported) || reported.equals("pattern"), method.getName() + " reports " + reported);
            }
            for (String parameter : contract) {
                if (!parameter.equals("batch_size") && !parameter.startsWith("prune_") && !parameter.equals("sparsity")) {
                    assertTrue(spec.parameters().containsKey(parameter), method.getName() + " does not report " + parameter);
                }
            }
        }
    }

    @Test
    void from_explicitZeroOrAFieldTheMethodDoesNotRead_isRefusedNamingIt() {
        IllegalArgumentException bits = assertThrows(IllegalArgumentException.class,
                () -> MethodSpec.from("gptq", CompressionParameters.newBuilder().setBits(0).build()));
        assertTrue(bits.getMessage().startsWith("bits:"), bits.getMessage());
        IllegalArgumentException qq = assertThrows(IllegalArgumentException.class,
                () -> MethodSpec.from("spqr", CompressionParameters.newBuilder().setQqScaleBits(9).build()));
        assertTrue(qq.getMessage().startsWith("qq_scale_bits:"), qq.getMessage());
        IllegalArgumentException damp = assertThrows(IllegalArgumentException.class,
                () -> MethodSpec.from("wanda", CompressionParameters.newBuilder().setSparsity(0.5).setDampPercent(0.1).build()));
        assertTrue(damp.getMessage().startsWith("damp_percent: wanda does not read it"), damp.getMessage());
    }
}

package dev.calibra.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.calibra.proto.v1.CompressionParameters;
import dev.calibra.proto.v1.MethodInfo;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MethodContractsTest {

    private static CompressionParameters params(UnaryOperator<CompressionParameters.Builder> set) {
        return set.apply(CompressionParameters.newBuilder()).build();
    }

    @Test
    void contract_listsEveryMethodOnce_withDefaultsThatFollowTheirOwnRules() {
        List<String> names = MethodContracts.all().stream().map(MethodInfo::getName).toList();
        assertEquals(List.of("gptq", "rtn", "spqr", "awq", "sparsegpt", "wanda", "magnitude"), names);
        for (MethodInfo method : MethodContracts.all()) {
            CompressionParameters defaults = method.getKind().equals("pruning")
                    ? params(p -> p.setSparsity(0.5)) : CompressionParameters.getDefaultInstance();
            assertEquals(List.of(), MethodContracts.problems(method.getName(), defaults), method.getName());
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "gptq | bits=0 | bits: must be 2, 3, 4 or 8, got 0",
        "gptq | group_size=0 | group_size: must be -1 or in [1, infinity), got 0",
        "gptq | damp_percent=0 | damp_percent: must be in (0, 1], got 0.0",
        "rtn | act_order=true | act_order: rtn does not read it",
        "spqr | qq_scale_bits=9 | qq_scale_bits: must be in [1, 8], got 9",
        "spqr | qq_zero_bits=0 | qq_zero_bits: must be in [1, 8], got 0",
        "spqr | outlier_threshold=0 | outlier_threshold: must be in (0, infinity], got 0.0",
        "awq | scale_grid=0 | scale_grid: must be in [1, infinity), got 0",
        "awq | group_size=-2 | group_size: must be -1 or in [1, infinity), got -2",
        "wanda | damp_percent=0.1 | damp_percent: wanda does not read it",
        "sparsegpt | sparsity=1 | sparsity: must be in (0, 1), got 1.0",
        "magnitude | prune_n=4 | prune_n: N:M needs both",
        "sparsegpt | - | sparsity: sparsegpt needs a sparsity in (0, 1) or prune_n:prune_m",
        "turbo | - | method: 'turbo' is not a known method; known: gptq, rtn, spqr, awq, sparsegpt, wanda, magnitude",
    })
    void problems_nameTheFieldAndTheRule(String method, String field, String expected) {
        CompressionParameters parameters = params(p -> switch (field) {
            case "bits=0" -> p.setBits(0);
            case "group_size=0" -> p.setGroupSize(0);
            case "group_size=-2" -> p.setGroupSize(-2);
            case "damp_percent=0" -> p.setDampPercent(0);
            case "damp_percent=0.1" -> p.setDampPercent(0.1).setSparsity(0.5);
            case "act_order=true" -> p.setActOrder(true);
            case "qq_scale_bits=9" -> p.setQqScaleBits(9);
            case "qq_zero_bits=0" -> p.setQqZeroBits(0);
            case "outlier_threshold=0" -> p.setOutlierThreshold(0);
            case "scale_grid=0" -> p.setScaleGrid(0);
            case "sparsity=1" -> p.setSparsity(1);
            case "prune_n=4" -> p.setPruneN(4);
            default -> p;
        });
        List<String> problems = MethodContracts.problems(method, parameters);
        assertTrue(problems.stream().anyMatch(problem -> problem.startsWith(expected)), problems.toString());
    }

    @Test
    void value_isTheSetOneElseTheMethodsDefault() {
        CompressionParameters none = CompressionParameters.getDefaultInstance();
        assertEquals(3, MethodContracts.value("spqr", none, "bits").orElseThrow());
        assertEquals(4, MethodContracts.value("gptq", none, "bits").orElseThrow());
        assertEquals(true, MethodContracts.value("spqr", none, "act_order").orElseThrow());
        assertEquals(false, MethodContracts.value("gptq", none, "act_order").orElseThrow());
        assertEquals(1.0, MethodContracts.value("spqr", none, "damp_percent").orElseThrow());
        assertEquals(8, MethodContracts.value("gptq", params(p -> p.setBits(8)), "bits").orElseThrow());
        assertTrue(MethodContracts.value("wanda", none, "sparsity").isEmpty());
        assertEquals(Double.POSITIVE_INFINITY, MethodContracts.value("spqr",
                params(p -> p.setOutlierThreshold(Double.POSITIVE_INFINITY)), "outlier_threshold").orElseThrow());
    }
}

package dev.calibra.compression.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.calibra.proto.v1.ListMethodsResponse;
import dev.calibra.proto.v1.MethodInfo;
import dev.calibra.proto.v1.ParameterInfo;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class MethodCatalogTest {

    @Test
    void describe_listsEveryMethod_withTheReferenceGptqDefaults() {
        ListMethodsResponse response = MethodCatalog.describe();
        assertEquals("magnitude,wanda,sparsegpt,rtn,gptq",
                response.getMethodsList().stream().map(MethodInfo::getName).collect(Collectors.joining(",")));
        MethodInfo gptq = response.getMethods(4);
        Map<String, String> defaults = gptq.getParametersList().stream()
                .collect(Collectors.toMap(ParameterInfo::getName, ParameterInfo::getDefaultValue));
        assertEquals("4", defaults.get("bits"));
        assertEquals("-1", defaults.get("group_size"));
        assertEquals("false", defaults.get("sym"));
        assertEquals("false", defaults.get("act_order"));
        assertEquals("0.01", defaults.get("damp_percent"));
        assertEquals("128", defaults.get("block_size"));
        assertEquals(true, gptq.getNeedsCalibration());
        assertEquals(false, response.getMethods(0).getNeedsCalibration());
    }
}

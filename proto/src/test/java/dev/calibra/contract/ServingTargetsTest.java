package dev.calibra.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.calibra.proto.v1.CompressionParameters;
import dev.calibra.proto.v1.OutputFormat;
import org.junit.jupiter.api.Test;

class ServingTargetsTest {

    private static final OutputFormat AUTO = OutputFormat.OUTPUT_FORMAT_AUTO;

    private static String refusal(String method, CompressionParameters.Builder p) {
        return assertThrows(IllegalArgumentException.class, () -> ServingTargets.apply("vllm", method, AUTO, p.build())).getMessage();
    }

    @Test
    void vllm_fillsUnsetGptqParametersWithServableDefaults_andKeepsWhatIsGiven() {
        CompressionParameters p = ServingTargets.apply("vllm", "gptq", AUTO, CompressionParameters.getDefaultInstance());
        assertEquals(4, p.getBits());
        assertEquals(128, p.getGroupSize());
        assertTrue(p.getSym());
        CompressionParameters given = ServingTargets.apply("VLLM", "rtn", AUTO,
                CompressionParameters.newBuilder().setBits(8).setGroupSize(-1).build());
        assertEquals(8, given.getBits());
        assertEquals(-1, given.getGroupSize());
        assertTrue(given.getSym(), "vLLM's GPTQ types carry no zero points");
    }

    @Test
    void vllm_refusesWhatItCannotServe_namingTheParameter() {
        assertEquals("target vllm: bits: vLLM serves 4- and 8-bit GPTQ; got 3", refusal("gptq", CompressionParameters.newBuilder().setBits(3)));
        assertEquals("target vllm: group_size: vLLM's GPTQ kernels take -1, 32, 64 or 128; got 256",
                refusal("gptq", CompressionParameters.newBuilder().setGroupSize(256)));
        assertTrue(refusal("gptq", CompressionParameters.newBuilder().setActOrder(true)).startsWith("target vllm: act_order:"));
        assertTrue(refusal("awq", CompressionParameters.newBuilder().setGroupSize(16)).startsWith("target vllm: group_size:"));
        assertTrue(refusal("spqr", CompressionParameters.newBuilder()).startsWith("target: vllm has no loader for SpQR"));
    }

    @Test
    void actOrderWithoutGroups_andPruning_andDenseOutput_areServed() {
        CompressionParameters channel = CompressionParameters.newBuilder().setActOrder(true).setGroupSize(-1).build();
        assertTrue(ServingTargets.apply("vllm", "gptq", AUTO, channel).getActOrder());
        CompressionParameters sparse = CompressionParameters.newBuilder().setSparsity(0.5).build();
        assertSame(sparse, ServingTargets.apply("vllm", "sparsegpt", AUTO, sparse));
        CompressionParameters threeBit = CompressionParameters.newBuilder().setBits(3).build();
        assertSame(threeBit, ServingTargets.apply("vllm", "gptq", OutputFormat.OUTPUT_FORMAT_DENSE, threeBit));
    }

    @Test
    void noTarget_changesNothing_andAnUnknownOneIsRefused() {
        CompressionParameters p = CompressionParameters.newBuilder().setBits(3).build();
        assertSame(p, ServingTargets.apply("", "gptq", AUTO, p));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ServingTargets.apply("tgi", "gptq", AUTO, p));
        assertEquals("target: 'tgi' is not a known target; known: vllm", e.getMessage());
    }
}

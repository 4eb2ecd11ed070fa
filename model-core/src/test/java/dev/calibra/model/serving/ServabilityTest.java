package dev.calibra.model.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.calibra.model.decoder.LinearSpec;
import dev.calibra.model.decoder.LinearSpec.Role;
import dev.calibra.model.serving.ServedForm.Format;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The verdicts against the loaders' rules, written out per row (README, "Servability"): not recomputed from the
 * rules' code. Columns: bits, sym, group size, desc_act, base dtype, then "yes"/"no" for vLLM GPTQ Marlin, vLLM GPTQ
 * and transformers with GPTQModel, on Llama 3.2 1B's shapes (every width a multiple of 512).
 */
class ServabilityTest {

    private static final Set<String> ALL = Set.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");

    static List<LinearSpec> llama(int hidden, int kv, int mlp) {
        return List.of(
                new LinearSpec("q_proj", "self_attn.q_proj", Role.QUERY, hidden, hidden, false, 0, "input_layernorm"),
                new LinearSpec("k_proj", "self_attn.k_proj", Role.KEY, kv, hidden, false, 0, "input_layernorm"),
                new LinearSpec("v_proj", "self_attn.v_proj", Role.VALUE, kv, hidden, false, 0, "input_layernorm"),
                new LinearSpec("o_proj", "self_attn.o_proj", Role.OUTPUT, hidden, hidden, false, 1, "self_attn.v_proj"),
                new LinearSpec("gate_proj", "mlp.gate_proj", Role.GATE, mlp, hidden, false, 2, "post_attention_layernorm"),
                new LinearSpec("up_proj", "mlp.up_proj", Role.UP, mlp, hidden, false, 2, "post_attention_layernorm"),
                new LinearSpec("down_proj", "mlp.down_proj", Role.DOWN, hidden, mlp, false, 3, "mlp.up_proj"));
    }

    private static Map<String, Boolean> verdicts(ServedForm form) {
        Map<String, Boolean> out = new LinkedHashMap<>();
        Servability.of(form).forEach(v -> out.put(v.loader(), v.servable()));
        return out;
    }

    @ParameterizedTest(name = "{0}-bit sym={1} g{2} desc_act={3} {4}")
    @CsvSource({
        // the servable default: 4-bit symmetric, group 128
        "4, true, 128, false, bfloat16, yes, yes, yes, yes",
        // grouped act-order: refused by vLLM 0.30, served by the Marlin era
        "4, true, 128, true, bfloat16, no, yes, yes, yes",
        // act-order without groups is normalised away
        "4, true, -1, true, float16, yes, yes, yes, yes",
        "4, true, -1, false, float16, yes, yes, yes, yes",
        "4, true, 32, false, float32, yes, yes, yes, yes",
        "8, true, 64, false, bfloat16, yes, yes, yes, yes",
        // asymmetric: the Marlin types of GPTQ carry no zero points; the older kernels read v1 zeros
        "4, false, 128, false, bfloat16, no, no, yes, yes",
        "8, false, -1, false, bfloat16, no, no, yes, yes",
        // 3 and 2 bits: no Marlin type
        "3, true, 128, false, bfloat16, no, no, yes, yes",
        "3, false, -1, false, float32, no, no, yes, yes",
        "2, true, 128, false, bfloat16, no, no, yes, yes",
        // group 256: Triton's 4-bit kernel only
        "4, true, 256, false, bfloat16, yes, no, yes, yes",
        "8, true, 256, false, bfloat16, no, no, yes, yes",
    })
    void llama1B_matrix(int bits, boolean sym, int group, boolean descAct, String dtype, String autoGptq, String marlin,
            String gptq, String gptqModel) {
        ServedForm form = new ServedForm(Format.GPTQ, bits, group, sym, descAct, dtype, llama(2048, 512, 8192), ALL);
        Map<String, Boolean> got = verdicts(form);
        assertEquals(autoGptq.equals("yes"), got.get(Servability.VLLM_AUTO_GPTQ), "vLLM AutoGPTQConfig " + got);
        assertEquals(marlin.equals("yes"), got.get(Servability.VLLM_GPTQ_MARLIN), "Marlin " + got);
        assertEquals(gptq.equals("yes"), got.get(Servability.VLLM_GPTQ), "vLLM GPTQ " + got);
        assertEquals(gptqModel.equals("yes"), got.get(Servability.TRANSFORMERS_GPTQMODEL), "GPTQModel " + got);
        assertEquals(false, got.get(Servability.VLLM_COMPRESSED_TENSORS));
    }

    @Test
    void stories260K_mlpStoredDense_attentionOnlyPacked_marlinRefusesTheWidth64Inputs() {
        // dim 64, kv 32, MLP 172 (not a multiple of 32: Calibra stores the MLP dense)
        ServedForm form = new ServedForm(Format.GPTQ, 4, -1, true, false, "float32", llama(64, 32, 172),
                Set.of("q_proj", "k_proj", "v_proj", "o_proj"));
        LoaderVerdict marlin = Servability.of(form).get(1);
        assertEquals(Servability.VLLM_GPTQ_MARLIN, marlin.loader());
        assertTrue(marlin.blockers().contains("self_attn.qkv_proj: input size 64 is not a multiple of 128"), marlin.toString());
        assertTrue(marlin.notes().stream().anyMatch(n -> n.contains("--dtype")), marlin.toString());
        assertEquals(true, verdicts(form).get(Servability.VLLM_GPTQ), "vLLM GPTQ skips the dense MLP and serves the rest");
        assertEquals(List.of("mlp.gate_up_proj"), Servability.denseFusedLayers(form.linears(), form.packed()));
    }

    @Test
    void halfPackedFusedLayer_isNotServedByVllm() {
        ServedForm form = new ServedForm(Format.GPTQ, 4, 128, true, false, "bfloat16", llama(2048, 512, 8192),
                ALL.stream().filter(name -> !name.equals("k_proj")).collect(Collectors.toSet()));
        Map<String, Boolean> got = verdicts(form);
        assertEquals(false, got.get(Servability.VLLM_AUTO_GPTQ));
        assertEquals(false, got.get(Servability.VLLM_GPTQ_MARLIN));
        assertEquals(false, got.get(Servability.VLLM_GPTQ));
        assertEquals(true, got.get(Servability.TRANSFORMERS_GPTQMODEL), "transformers skips per module");
        assertTrue(Servability.of(form).get(2).blockers().get(0).startsWith("self_attn.qkv_proj fuses"),
                Servability.of(form).get(2).toString());
    }

    @ParameterizedTest(name = "compressed-tensors {0}-bit sym={1} g{2}")
    @CsvSource({
        "4, true, 128, yes", "4, false, 128, yes", "8, true, -1, yes", "8, false, 64, yes",
        // vLLM's WNA16 scheme routes only 4 and 8 bits
        "2, true, 128, no",
        // 1B's inputs are 2048 and 8192 wide: group 96 divides neither
        "4, true, 96, no",
    })
    void compressedTensors_matrix(int bits, boolean sym, int group, String vllm) {
        ServedForm form = new ServedForm(Format.COMPRESSED_TENSORS, bits, group, sym, false, "bfloat16", llama(2048, 512, 8192), ALL);
        Map<String, Boolean> got = verdicts(form);
        assertEquals(vllm.equals("yes"), got.get(Servability.VLLM_COMPRESSED_TENSORS), got.toString());
        assertEquals(true, got.get(Servability.TRANSFORMERS_COMPRESSED_TENSORS));
    }

    @Test
    void denseFolder_isServedByEveryLoader() {
        ServedForm form = new ServedForm(Format.DENSE, 0, -1, false, false, "bfloat16", llama(2048, 512, 8192), Set.of());
        assertEquals(List.of(true), Servability.of(form).stream().map(LoaderVerdict::servable).toList());
    }
}

package dev.calibra.model.serving;

import dev.calibra.model.decoder.LinearSpec;
import dev.calibra.model.serving.ServedForm.Format;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which serving stacks load a compressed folder, and why not, by the rules in their own sources (README,
 * "Servability", cites each rule's file and commit). vLLM is taken at tensor parallel size 1, where each layer's
 * whole shape is one partition.
 */
public final class Servability {

    public static final String VLLM_GPTQ_MARLIN = "vllm-gptq-marlin";
    public static final String VLLM_GPTQ = "vllm-gptq";
    public static final String VLLM_AUTO_GPTQ = "vllm-auto-gptq";
    public static final String VLLM_AWQ_MARLIN = "vllm-awq-marlin";
    public static final String VLLM_AWQ = "vllm-awq";
    public static final String TRANSFORMERS_GPTQMODEL = "transformers-gptqmodel";
    public static final String TRANSFORMERS_AUTOAWQ = "transformers-autoawq";
    public static final String VLLM_COMPRESSED_TENSORS = "vllm-compressed-tensors";
    public static final String TRANSFORMERS_COMPRESSED_TENSORS = "transformers-compressed-tensors";

    /** vLLM marlin_utils: MARLIN_SUPPORTED_GROUP_SIZES, GPTQ_MARLIN_MIN_THREAD_N / _K. */
    private static final Set<Integer> MARLIN_GROUP_SIZES = Set.of(-1, 32, 64, 128);
    private static final int MARLIN_MIN_N = 64;
    private static final int MARLIN_MIN_K = 128;

    private Servability() {}

    /** One verdict per loader that reads the folder's family of formats, in a fixed order. */
    public static List<LoaderVerdict> of(ServedForm form) {
        return switch (form.format()) {
            case GPTQ -> List.of(autoGptq(form), gptqMarlin(form), gptq(form), gptqModel(form), compressedTensors());
            case AWQ -> List.of(awqMarlin(form), awq(form), autoAwq(form), compressedTensors());
            case COMPRESSED_TENSORS -> List.of(compressedTensorsWna16(form), transformersCompressedTensors(form));
            case DENSE -> List.of(dense());
        };
    }

    /**
     * The newest vLLM read (auto_gptq.py: every "gptq" checkpoint goes to AutoGPTQConfig, whose TYPE_MAP holds
     * symmetric 4 and 8 bits; kernels chosen per layer, misaligned shapes zero-padded when act-order is off).
     */
    static LoaderVerdict autoGptq(ServedForm form) {
        List<String> blockers = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        if (!(form.sym() && (form.bits() == 4 || form.bits() == 8))) {
            blockers.add("vLLM's AutoGPTQConfig takes 4- and 8-bit symmetric GPTQ only; this is " + form.bits() + "-bit "
                    + (form.sym() ? "symmetric" : "asymmetric (sym false)"));
        }
        // Triton's W4A16 kernel also takes group 256 (4-bit, no act-order); Marlin and Machete do not
        boolean triton256 = form.bits() == 4 && form.groupSize() == 256 && !form.descAct();
        if (!MARLIN_GROUP_SIZES.contains(form.groupSize()) && !triton256) {
            blockers.add("no vLLM kernel for GPTQ takes group size " + form.groupSize() + " (Marlin: -1, 32, 64, 128;"
                    + " Triton, 4-bit: also 256)");
        }
        if (form.descAct() && form.groupSize() != -1) {
            blockers.add("vLLM 0.30 refuses act-order (desc_act) with groups (tests/quantization/test_auto_gptq.py)");
        }
        fusedSkips(form, blockers);
        halfActivations(form, notes, "float16 or bfloat16");
        return new LoaderVerdict(VLLM_AUTO_GPTQ, blockers, notes);
    }

    /** vLLM's GPTQ Marlin kernels (gptq_marlin.py, is_gptq_marlin_compatible and the Marlin shape checks). */
    static LoaderVerdict gptqMarlin(ServedForm form) {
        List<String> blockers = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        if (!(form.sym() && (form.bits() == 4 || form.bits() == 8))) {
            blockers.add("Marlin serves 4- and 8-bit symmetric GPTQ; this is " + form.bits() + "-bit "
                    + (form.sym() ? "symmetric" : "asymmetric (sym false)"));
        }
        marlin(form, blockers, notes);
        return new LoaderVerdict(VLLM_GPTQ_MARLIN, blockers, notes);
    }

    /** vLLM's older GPTQ kernels (gptq.py: GPTQConfig and create_weights' shape checks). */
    static LoaderVerdict gptq(ServedForm form) {
        List<String> blockers = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        if (form.bits() != 2 && form.bits() != 3 && form.bits() != 4 && form.bits() != 8) {
            blockers.add("vLLM's GPTQ kernels serve 2, 3, 4 and 8 bits; this is " + form.bits());
        }
        // pack_factor = Fraction(32, bits): output features must be a multiple of its numerator
        int numerator = 32 / gcd(32, form.bits());
        for (Layer layer : vllmLayers(form)) {
            groupsDivideInputs(layer, form.groupSize(), blockers);
            if (layer.packed() && layer.out() % numerator != 0) {
                blockers.add(layer.name() + ": output size " + layer.out() + " is not a multiple of " + numerator
                        + " (32 / gcd(32, bits))");
            }
        }
        fusedSkips(form, blockers);
        if (!form.baseDtype().equals("float16")) {
            notes.add("vLLM's GPTQ kernels compute in float16 only: serve with --dtype float16 (the base is "
                    + form.baseDtype() + ")");
        }
        notes.add("older vLLM releases only: newer ones send every GPTQ checkpoint to AutoGPTQConfig");
        return new LoaderVerdict(VLLM_GPTQ, blockers, notes);
    }

    /** transformers' GPTQ integration through GPTQModel (quantizer_gptq.py, GPTQConfig). */
    static LoaderVerdict gptqModel(ServedForm form) {
        List<String> blockers = new ArrayList<>();
        if (form.bits() != 2 && form.bits() != 3 && form.bits() != 4 && form.bits() != 8) {
            blockers.add("transformers' GPTQConfig accepts 2, 3, 4 and 8 bits; this is " + form.bits());
        }
        return new LoaderVerdict(TRANSFORMERS_GPTQMODEL, blockers,
                List.of("needs the gptqmodel package; it reads checkpoint_format gptq (v1) and the negative dynamic entries"));
    }

    /** vLLM's AWQ Marlin kernels (awq_marlin.py: 4-bit with zero points, Marlin's group sizes and shapes). */
    static LoaderVerdict awqMarlin(ServedForm form) {
        List<String> blockers = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        marlin(form, blockers, notes);
        return new LoaderVerdict(VLLM_AWQ_MARLIN, blockers, notes);
    }

    /** vLLM's older AWQ kernels (awq.py: float16 activations, input a multiple of the group size). */
    static LoaderVerdict awq(ServedForm form) {
        List<String> blockers = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (Layer layer : vllmLayers(form)) {
            groupsDivideInputs(layer, form.groupSize(), blockers);
        }
        fusedSkips(form, blockers);
        if (!form.baseDtype().equals("float16")) {
            notes.add("vLLM's AWQ kernels compute in float16 only: serve with --dtype float16 (the base is "
                    + form.baseDtype() + ")");
        }
        return new LoaderVerdict(VLLM_AWQ, blockers, notes);
    }

    static LoaderVerdict autoAwq(ServedForm form) {
        return new LoaderVerdict(TRANSFORMERS_AUTOAWQ, List.of(),
                List.of("needs the autoawq package (GEMM version); modules_to_not_convert names the dense linears"));
    }

    /**
     * vLLM's compressed-tensors WNA16 scheme (compressed_tensors.py _is_wNa16_group_channel,
     * schemes/compressed_tensors_wNa16.py): pack-quantized 4 or 8 bits, group or channel; zero points at 4 bits on
     * Marlin, at 8 bits only on Machete (Hopper), Conch or Humming; groups dividing each layer's input.
     */
    static LoaderVerdict compressedTensorsWna16(ServedForm form) {
        List<String> blockers = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        if (form.bits() != 4 && form.bits() != 8) {
            blockers.add("vLLM's compressed-tensors WNA16 scheme takes 4 or 8 bits; this is " + form.bits());
        }
        if (!form.sym() && form.bits() == 8) {
            notes.add("asymmetric 8-bit needs the Machete kernel (Hopper GPUs) or the conch or humming package");
        }
        for (Layer layer : vllmLayers(form)) {
            if (layer.packed() && form.groupSize() > 0 && layer.in() % form.groupSize() != 0 && form.groupSize() < layer.in()) {
                blockers.add(layer.name() + ": input size " + layer.in() + " is not a multiple of group size " + form.groupSize());
            }
        }
        halfActivations(form, notes, "float16 or bfloat16");
        return new LoaderVerdict(VLLM_COMPRESSED_TENSORS, blockers, notes);
    }

    static LoaderVerdict transformersCompressedTensors(ServedForm form) {
        return new LoaderVerdict(TRANSFORMERS_COMPRESSED_TENSORS, List.of(),
                List.of("needs the compressed-tensors package (transformers' CompressedTensorsHfQuantizer)"));
    }

    static LoaderVerdict compressedTensors() {
        return new LoaderVerdict(VLLM_COMPRESSED_TENSORS,
                List.of("the folder is not in compressed-tensors format: write it with format compressed-tensors"), List.of());
    }

    static LoaderVerdict dense() {
        return new LoaderVerdict("any", List.of(), List.of("plain weights: every loader serves them as an unquantized"
                + " model, and pruned zeros take their full size"));
    }

    /** What vLLM's Marlin kernels need of GPTQ and AWQ alike: their group sizes and tile shapes, whole fused layers. */
    private static void marlin(ServedForm form, List<String> blockers, List<String> notes) {
        if (!MARLIN_GROUP_SIZES.contains(form.groupSize())) {
            blockers.add("Marlin serves group sizes -1, 32, 64 and 128; this is " + form.groupSize());
        }
        marlinShapes(form, blockers);
        fusedSkips(form, blockers);
        halfActivations(form, notes, "float16 or bfloat16");
        notes.add("needs an NVIDIA GPU of compute capability 8.0 or newer (Ampere)");
    }

    /** vLLM's older GPTQ and AWQ kernels refuse a packed layer whose input the group size does not divide. */
    private static void groupsDivideInputs(Layer layer, int groupSize, List<String> blockers) {
        if (layer.packed() && groupSize > 0 && layer.in() % groupSize != 0) {
            blockers.add(layer.name() + ": input size " + layer.in() + " is not a multiple of group size " + groupSize);
        }
    }

    private static void marlinShapes(ServedForm form, List<String> blockers) {
        for (Layer layer : vllmLayers(form)) {
            if (!layer.packed()) {
                continue;
            }
            if (layer.out() % MARLIN_MIN_N != 0) {
                blockers.add(layer.name() + ": output size " + layer.out() + " is not a multiple of " + MARLIN_MIN_N);
            }
            if (layer.in() % MARLIN_MIN_K != 0) {
                blockers.add(layer.name() + ": input size " + layer.in() + " is not a multiple of " + MARLIN_MIN_K);
            }
            if (form.groupSize() > 0 && (layer.in() % form.groupSize() != 0 || form.groupSize() >= layer.in())) {
                blockers.add(layer.name() + ": input size " + layer.in() + " is not a multiple of group size "
                        + form.groupSize() + " larger than it");
            }
        }
    }

    /** A fused vLLM layer is one quantization method: its shards must be all packed or all skipped. */
    private static void fusedSkips(ServedForm form, List<String> blockers) {
        for (Layer layer : vllmLayers(form)) {
            if (layer.mixed()) {
                blockers.add(layer.name() + " fuses " + layer.shards() + ", of which only " + layer.packedShards()
                        + " are packed; vLLM needs all or none of a fused layer's shards quantized");
            }
        }
    }

    private static void halfActivations(ServedForm form, List<String> notes, String supported) {
        if (form.baseDtype().equals("float32")) {
            notes.add("the base is float32: serve with --dtype " + (supported.contains("bfloat16") ? "bfloat16 or float16"
                    : "float16"));
        }
    }

    /**
     * vLLM's names of the fused layers whose shards are all stored dense ("mlp.gate_up_proj"): vLLM matches the
     * {@code dynamic} skips against the fused layer's name, which the checkpoint never uses, so the folder names it
     * too.
     */
    public static List<String> denseFusedLayers(List<LinearSpec> linears, Set<String> packed) {
        ServedForm form = new ServedForm(Format.GPTQ, 4, -1, true, false, "float16", linears, packed);
        return vllmLayers(form).stream()
                .filter(layer -> layer.shards().size() > 1 && layer.packedShards().isEmpty())
                .map(Layer::name)
                .toList();
    }

    /** A layer as vLLM builds it: q/k/v fused into qkv_proj and gate/up into gate_up_proj, the others alone. */
    record Layer(String name, int out, int in, List<String> shards, List<String> packedShards) {
        boolean packed() {
            return packedShards.size() == shards.size();
        }

        boolean mixed() {
            return !packedShards.isEmpty() && packedShards.size() < shards.size();
        }
    }

    static List<Layer> vllmLayers(ServedForm form) {
        Map<String, List<LinearSpec>> byLayer = new LinkedHashMap<>();
        for (LinearSpec linear : form.linears()) {
            byLayer.computeIfAbsent(vllmName(linear), k -> new ArrayList<>()).add(linear);
        }
        List<Layer> layers = new ArrayList<>();
        byLayer.forEach((name, shards) -> {
            int out = shards.stream().mapToInt(LinearSpec::outFeatures).sum();
            List<String> names = shards.stream().map(LinearSpec::module).toList();
            List<String> packed = shards.stream().filter(s -> form.packed().contains(s.name())).map(LinearSpec::module).toList();
            layers.add(new Layer(name, out, shards.get(0).inFeatures(), names, packed));
        });
        return layers;
    }

    private static String vllmName(LinearSpec linear) {
        String parent = linear.module().contains(".") ? linear.module().substring(0, linear.module().lastIndexOf('.') + 1) : "";
        return switch (linear.role()) {
            case QUERY, KEY, VALUE -> parent + "qkv_proj";
            case GATE, UP -> parent + "gate_up_proj";
            default -> linear.module();
        };
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }
}

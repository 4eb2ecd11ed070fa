package dev.calibra.registry.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.calibra.proto.v1.JobType;
import dev.calibra.proto.v1.OutputDtype;
import dev.calibra.proto.v1.StudyMethod;
import dev.calibra.proto.v1.StudySpec;
import dev.calibra.rpc.CalibraException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** YAML reading, validation and grid expansion, without a database (names resolve through maps). */
class StudySpecTest {

    private static final Map<String, String> MODELS = Map.of("stories260K", "mdl-1");
    private static final Map<String, String> CORPORA = Map.of("c4", "cor-c4", "wikitext", "cor-wiki");

    private static final String GOOD = """
            name: grid
            models: [stories260K]
            include_dense: true
            methods:
              - {method: gptq, bits: 4}
              - {label: wanda-2of4, method: wanda, prune_n: 2, prune_m: 4}
              - {method: rtn, bits: 4}
            sources:
              - {label: c4, strategy: random_window, corpus: c4, n_samples: 16, seq_len: 128, sets: 3, seed: 10}
              - {strategy: disjoint_sets, corpus: wikitext, n_samples: 8, seq_len: 64, sets: 2}
            evaluation:
              tasks: [copa, piqa]
              limit: 100
              perplexity:
                - {corpus: wikitext, seq_len: 128, max_tokens: 4096}
            """;

    private static StudySpecValidator validator() {
        return new StudySpecValidator(
                name -> Optional.ofNullable(MODELS.get(name)).map(id -> new StudySpecValidator.Named(id, name)),
                name -> Optional.ofNullable(CORPORA.get(name)).map(id -> new StudySpecValidator.Named(id, name)));
    }

    private static StudySpecValidator.Resolved resolve(String yaml) {
        SpecErrors errors = new SpecErrors();
        StudySpec spec = StudySpecYaml.parse(yaml, errors);
        StudySpecValidator.Resolved resolved = validator().validate(spec, errors);
        errors.throwIfAny();
        return resolved;
    }

    private static String problems(String yaml) {
        return assertThrows(CalibraException.class, () -> resolve(yaml)).getMessage();
    }

    @Test
    void parse_goodSpec_resolvesNamesAndFillsLabels() {
        StudySpec spec = resolve(GOOD).spec();
        assertEquals(List.of("mdl-1"), spec.getModelsList());
        assertEquals("gptq-4bit", spec.getMethods(0).getLabel());
        assertEquals("wanda-2of4", spec.getMethods(1).getLabel());
        assertEquals("cor-c4", spec.getSources(0).getSpec().getCorpora(0).getCorpusId());
        assertEquals("wikitext", spec.getSources(1).getLabel());
        assertEquals("cor-wiki", spec.getEvaluation().getPerplexity(0).getCorpusId());
        assertEquals("wikitext", spec.getEvaluation().getPerplexity(0).getName());
    }

    @Test
    void parse_badBits_namesTheYamlPathAndLine() {
        String message = problems(GOOD.replace("{method: rtn, bits: 4}", "{method: rtn, bits: 5}"));
        assertTrue(message.contains("methods[2].bits must be 2, 3, 4 or 8, got 5 (line 7)"), message);
    }

    @Test
    void parse_everyProblem_isReportedAtOnceWithItsPath() {
        String yaml = GOOD.replace("prune_n: 2, prune_m: 4", "prune_n: 4, prune_m: 4")
                .replace("sets: 3", "sets: 0").replace("corpus: wikitext, n_samples", "corpus: nowhere, n_samples")
                .replace("[copa, piqa]", "[copa, chess]").replace("limit: 100", "limit: 100\n  shots: 5");
        String message = problems(yaml);
        assertTrue(message.contains("methods[1].prune_n N:M needs both prune_n and prune_m with 0 < N < M, got 4:4"), message);
        assertTrue(message.contains("sources[0].sets must be between 1 and 1000, got 0"), message);
        assertTrue(message.contains("sources[1].corpora[0] 'nowhere' is not a registered corpus"), message);
        assertTrue(message.contains("evaluation.tasks[1] 'chess' is not a known task"), message);
        assertTrue(message.contains("evaluation.shots is not a known key here"), message);
        assertTrue(message.startsWith("the study spec has 5 problems"), message);
    }

    @Test
    void parse_sparsityOutsideOpenInterval_isRefused() {
        String message = problems(GOOD.replace("{method: gptq, bits: 4}", "{method: sparsegpt, sparsity: 1.0}"));
        assertTrue(message.contains("methods[0].sparsity must be in (0, 1), got 1.0"), message);
    }

    @Test
    void parse_packedFormatAMethodCannotUse_isRefusedAtItsPath() {
        String message = problems(GOOD.replace("{method: gptq, bits: 4}", "{method: gptq, bits: 4, format: awq}")
                .replace("{method: rtn, bits: 4}", "{method: awq, bits: 3, format: awq}"));
        assertTrue(message.contains("methods[0].format awq packs the results of awq; gptq is not stored that way"), message);
        assertTrue(message.contains("methods[2].format awq stores 4-bit weights; bits is 3"), message);
    }

    @Test
    void parse_dtype_reachesTheCompressionJobs_andABadOneIsRefusedAtItsPath() {
        StudySpecValidator.Resolved resolved = resolve(GOOD.replace("{method: gptq, bits: 4}", "{method: gptq, bits: 4, dtype: float32}"));
        assertEquals(OutputDtype.OUTPUT_DTYPE_FLOAT32, resolved.spec().getMethods(0).getDtype());
        List<PlannedJob> gptq = StudyGrid.expand(resolved.spec(), resolved.modelNames()).stream()
                .filter(c -> c.type() == JobType.JOB_TYPE_COMPRESS && c.method().equals("gptq-4bit")).toList();
        assertTrue(!gptq.isEmpty() && gptq.stream().allMatch(c -> c.spec().getCompress().getDtype() == OutputDtype.OUTPUT_DTYPE_FLOAT32));
        String message = problems(GOOD.replace("{method: gptq, bits: 4}", "{method: gptq, bits: 4, dtype: fp8}"));
        assertTrue(message.contains("methods[0].dtype must be base or float32, got 'fp8'"), message);
    }

    @Test
    void parse_targetVllm_makesTheServableParametersTheMethods_andRefusesWhatVllmCannotServe() {
        StudySpecValidator.Resolved resolved = resolve(GOOD.replace("{method: gptq, bits: 4}", "{method: gptq, target: vllm}"));
        StudyMethod gptq = resolved.spec().getMethods(0);
        assertEquals(4, gptq.getParameters().getBits());
        assertEquals(128, gptq.getParameters().getGroupSize());
        assertTrue(gptq.getParameters().getSym());
        assertTrue(StudyGrid.expand(resolved.spec(), resolved.modelNames()).stream()
                .filter(c -> c.type() == JobType.JOB_TYPE_COMPRESS && c.method().equals(gptq.getLabel()))
                .allMatch(c -> c.spec().getCompress().getTarget().equals("vllm") && c.spec().getCompress().getParameters().getSym()));
        String message = problems(GOOD.replace("{method: gptq, bits: 4}", "{method: gptq, bits: 3, target: vllm}"));
        assertTrue(message.contains("methods[0].target vllm: bits: vLLM serves 4- and 8-bit GPTQ; got 3"), message);
    }

    @Test
    void parse_unknownMethodAndStrategy_listTheKnownNames() {
        String message = problems(GOOD.replace("method: gptq,", "method: turbo,").replace("strategy: random_window", "strategy: best"));
        assertTrue(message.contains("methods[0].method 'turbo' is not a known method; known: gptq, rtn, spqr, awq, sparsegpt, wanda,"
                + " magnitude"), message);
        assertTrue(message.contains("sources[0].strategy 'best' is not a known strategy"), message);
    }

    @Test
    void parse_brokenYaml_saysWhere() {
        String message = assertThrows(CalibraException.class, () -> StudySpecYaml.parse("models: [a\nmethods: {")).getMessage();
        assertTrue(message.contains("spec_yaml is not valid YAML at line"), message);
    }

    @Test
    void expand_grid_hasOneJobPerCellAndDependenciesInOrder() {
        StudySpecValidator.Resolved resolved = resolve(GOOD);
        List<PlannedJob> cells = StudyGrid.expand(resolved.spec(), resolved.modelNames());
        Map<JobType, Long> distinct = cells.stream().collect(Collectors.toMap(PlannedJob::requestId, PlannedJob::type, (a, b) -> a))
                .values().stream().collect(Collectors.groupingBy(type -> type, Collectors.counting()));
        // 5 calibration sets; 2 calibrated methods x 5 sets + rtn = 11 compressions; those + dense = 12 evaluations.
        assertEquals(5, distinct.get(JobType.JOB_TYPE_CALIBRATE));
        assertEquals(11, distinct.get(JobType.JOB_TYPE_COMPRESS));
        assertEquals(12, distinct.get(JobType.JOB_TYPE_EVALUATE));
        Set<String> seen = new java.util.HashSet<>();
        for (PlannedJob cell : cells) {
            assertTrue(seen.containsAll(cell.dependsOn()), "dependencies come first: " + cell);
            seen.add(cell.requestId());
        }
        List<PlannedJob> c4 = cells.stream().filter(c -> c.type() == JobType.JOB_TYPE_CALIBRATE && c.source().equals("c4")).toList();
        assertEquals(List.of(10L, 11L, 12L), c4.stream().map(c -> c.spec().getCalibrate().getSpec().getSeed()).toList());
        List<PlannedJob> disjoint = cells.stream().filter(c -> c.type() == JobType.JOB_TYPE_CALIBRATE && c.source().equals("wikitext")).toList();
        assertEquals(List.of("0", "1"), disjoint.stream().map(c -> c.spec().getCalibrate().getSpec().getParametersOrThrow("set_index")).toList());
        assertTrue(cells.stream().filter(c -> c.method().equals("rtn-4bit")).allMatch(c -> c.source().isEmpty()));
    }

    @Test
    void expand_twoSourcesWithOneSpec_shareTheirCalibrationAndCompressionJobs() {
        String twin = GOOD.replace("  - {strategy: disjoint_sets, corpus: wikitext, n_samples: 8, seq_len: 64, sets: 2}",
                "  - {label: c4-again, strategy: random_window, corpus: c4, n_samples: 16, seq_len: 128, sets: 3, seed: 10}");
        StudySpecValidator.Resolved resolved = resolve(twin);
        List<PlannedJob> cells = StudyGrid.expand(resolved.spec(), resolved.modelNames());
        long calibrations = cells.stream().filter(c -> c.type() == JobType.JOB_TYPE_CALIBRATE).map(PlannedJob::requestId).distinct().count();
        assertEquals(3, calibrations);
        assertEquals(resolve(twin).spec(), resolved.spec());
        assertEquals(cells, StudyGrid.expand(resolve(twin).spec(), resolved.modelNames()), "expansion is deterministic");
    }

    @Test
    void spread_matchesHandComputedReference() {
        Spread spread = Spread.of(List.of(0.52, 0.55, 0.61));
        assertEquals(0.56, spread.mean(), 1e-12);
        // sqrt(((-0.04)^2 + (-0.01)^2 + 0.05^2) / 2) = sqrt(0.0021) = 0.0458257569...
        assertEquals(0.045825756949558, spread.std(), 1e-12);
        assertEquals(0.09, spread.range(), 1e-12);
        assertEquals(0, Spread.of(List.of(3.0)).std());
    }

    @Test
    void spearman_ofReversedRanks_isMinusOne() {
        assertEquals(-1, Findings.spearman(List.of(1.0, 2.0, 3.0), List.of(9.0, 5.0, 1.0)), 1e-12);
        assertEquals(1, Findings.spearman(List.of(1.0, 2.0, 3.0), List.of(2.0, 5.0, 7.0)), 1e-12);
    }
}

package dev.calibra.evaluation.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.calibra.evaluation.task.Example;
import dev.calibra.evaluation.task.TaskKind;
import dev.calibra.model.scoring.LogLikelihood;
import java.util.List;
import org.junit.jupiter.api.Test;

class TaskMetricsTest {

    @Test
    void mean_stderrIsSampleStdOverSqrtN_asLmEvalMeanStderr() {
        // values 1,0,1,1: mean 0.75, sample variance 0.25, stderr sqrt(0.25)/2 = 0.25
        MetricValue value = TaskMetrics.mean("acc", new double[] {1, 0, 1, 1});
        assertEquals(0.75, value.value(), 1e-12);
        assertEquals(0.25, value.stderr(), 1e-12);
        assertEquals(4, value.n());
    }

    @Test
    void accNorm_dividesByChoiceLengthInCharacters() {
        // choice 0: -4 over 2 chars (-2/char); choice 1: -6 over 6 chars (-1/char): acc picks 0, acc_norm picks 1
        Example example = new Example(1, List.of("c", "c"), List.of(" ab", " abcdef"), List.of(2, 6), 1);
        List<MetricValue> metrics = TaskMetrics.compute(TaskKind.MULTIPLE_CHOICE, List.of(example),
                List.of(new LogLikelihood(-4, false, 1), new LogLikelihood(-6, false, 2)));
        assertEquals(0.0, metrics.get(0).value());
        assertEquals(1.0, metrics.get(1).value());
    }

    @Test
    void lambada_accIsGreedy_perplexityIsExpOfMinusMeanLogLikelihood() {
        Example a = new Example(1, List.of("x"), List.of(" y"), List.of(1), 0);
        Example b = new Example(2, List.of("x"), List.of(" z"), List.of(1), 0);
        List<MetricValue> metrics = TaskMetrics.compute(TaskKind.LAMBADA, List.of(a, b),
                List.of(new LogLikelihood(-1, true, 1), new LogLikelihood(-3, false, 2)));
        assertEquals(0.5, metrics.get(0).value());
        assertEquals(Math.exp(2), metrics.get(1).value(), 1e-12);
    }
}

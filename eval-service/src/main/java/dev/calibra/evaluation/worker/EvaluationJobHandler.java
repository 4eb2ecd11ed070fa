package dev.calibra.evaluation.worker;

import dev.calibra.evaluation.service.Evaluator;
import dev.calibra.proto.v1.Job;
import dev.calibra.proto.v1.JobType;
import dev.calibra.proto.v1.Score;
import dev.calibra.rpc.CalibraException;
import dev.calibra.runtime.worker.JobContext;
import dev.calibra.runtime.worker.ServiceJobHandler;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/** Runs EVALUATE jobs (service-runtime's WorkerRuntime claims them) and completes them with the score ids. */
@ApplicationScoped
public class EvaluationJobHandler implements ServiceJobHandler {

    private final Evaluator evaluator;

    public EvaluationJobHandler(Evaluator evaluator) {
        this.evaluator = evaluator;
    }

    @Override
    public List<JobType> types() {
        return List.of(JobType.JOB_TYPE_EVALUATE);
    }

    @Override
    public String serviceName() {
        return "eval-service";
    }

    @Override
    public List<String> run(Job job, JobContext context) throws Exception {
        if (!job.getSpec().hasEvaluate()) {
            throw CalibraException.invalidArgument("job " + job.getId() + " has no evaluate spec");
        }
        var result = evaluator.evaluate(job.getSpec().getEvaluate(), progress -> {
            context.progress(progress.getFraction(), progress.getMessage());
            context.checkStop();
        }, job.getId(), context.workerId(), job.getAttempts());
        return result.getScoresList().stream().map(Score::getId).toList();
    }
}

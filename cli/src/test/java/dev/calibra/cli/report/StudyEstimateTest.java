package dev.calibra.cli.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.calibra.proto.v1.CalibrationSpec;
import dev.calibra.proto.v1.JobSpec;
import dev.calibra.proto.v1.JobState;
import dev.calibra.proto.v1.JobType;
import dev.calibra.proto.v1.SampleCalibrationSetRequest;
import dev.calibra.proto.v1.Study;
import dev.calibra.proto.v1.StudyJob;
import org.junit.jupiter.api.Test;

class StudyEstimateTest {

    private static StudyJob calibrate(String requestId, JobState state) {
        return StudyJob.newBuilder().setRequestId(requestId).setType(JobType.JOB_TYPE_CALIBRATE).setState(state)
                .setSpec(JobSpec.newBuilder().setCalibrate(SampleCalibrationSetRequest.newBuilder()
                        .setSpec(CalibrationSpec.newBuilder().setStrategy("random_window").setNSamples(16).setSeqLen(128))))
                .build();
    }

    @Test
    void finishedWorkIsFree_andSharedCellsCountOnce() {
        Study plan = Study.newBuilder()
                .addJobs(calibrate("a", JobState.JOB_STATE_UNSPECIFIED))
                .addJobs(calibrate("a", JobState.JOB_STATE_UNSPECIFIED))
                .addJobs(calibrate("b", JobState.JOB_STATE_SUCCEEDED))
                .build();
        StudyEstimate.Estimate estimate = StudyEstimate.of(plan, 1_000_000);
        assertEquals(1, estimate.newJobs());
        assertEquals(1, estimate.existingJobs());
        // 16 x 128 tokens, 4 bytes each; 3 s fixed + 2 x 1e6 params x 2048 tokens / 2e9 FLOP/s.
        assertEquals(16 * 128 * 4, estimate.diskBytes());
        assertEquals(3 + 2.0 * 1e6 * 2048 / 2e9, estimate.seconds(), 1e-9);
    }
}

package dev.calibra.registry.grpc;

import dev.calibra.proto.v1.CancelJobRequest;
import dev.calibra.proto.v1.ClaimJobRequest;
import dev.calibra.proto.v1.ClaimJobResponse;
import dev.calibra.proto.v1.CompleteJobRequest;
import dev.calibra.proto.v1.FailJobRequest;
import dev.calibra.proto.v1.GetJobRequest;
import dev.calibra.proto.v1.HeartbeatRequest;
import dev.calibra.proto.v1.HeartbeatResponse;
import dev.calibra.proto.v1.Job;
import dev.calibra.proto.v1.JobEvent;
import dev.calibra.proto.v1.JobState;
import dev.calibra.proto.v1.JobType;
import dev.calibra.proto.v1.JobsGrpc;
import dev.calibra.proto.v1.ListJobsRequest;
import dev.calibra.proto.v1.ListJobsResponse;
import dev.calibra.proto.v1.SubmitJobRequest;
import dev.calibra.proto.v1.WatchJobRequest;
import dev.calibra.registry.auth.Authenticator;
import dev.calibra.registry.team.Identity;
import dev.calibra.registry.job.JobEntity;
import dev.calibra.registry.job.JobQueue;
import dev.calibra.registry.job.JobLifecycle;
import dev.calibra.registry.job.JobTypes;
import dev.calibra.registry.support.Page;
import dev.calibra.registry.support.StreamPoller;
import dev.calibra.registry.support.Times;
import dev.calibra.registry.team.Caller;
import dev.calibra.registry.team.TeamScope;
import dev.calibra.rpc.GrpcErrors;
import dev.calibra.rpc.Rpc;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** calibra.v1.Jobs: the queue as clients and workers see it. */
@GrpcService
@Blocking
public class JobsGrpcService extends JobsGrpc.JobsImplBase {

    private final Caller caller;
    private final RecordMapper mapper;
    private final JobQueue queue;
    private final long watchPollMillis;
    private final StreamPoller poller;
    private final Authenticator authenticator;

    public JobsGrpcService(Caller caller, RecordMapper mapper, JobQueue queue, StreamPoller poller,
            Authenticator authenticator, @ConfigProperty(name = "calibra.jobs.watch-poll-millis") long watchPollMillis) {
        this.caller = caller;
        this.authenticator = authenticator;
        this.mapper = mapper;
        this.queue = queue;
        this.watchPollMillis = watchPollMillis;
        this.poller = poller;
    }

    @Override
    public void submitJob(SubmitJobRequest request, StreamObserver<Job> response) {
        Rpc.unary(response, () -> toProto(queue.submit(caller.scope(), request, caller.traceParent())));
    }

    @Override
    public void getJob(GetJobRequest request, StreamObserver<Job> response) {
        Rpc.unary(response, () -> toProto(queue.get(caller.scope(), request.getId())));
    }

    @Override
    public void listJobs(ListJobsRequest request, StreamObserver<ListJobsResponse> response) {
        Rpc.unary(response, () -> {
            JobLifecycle.State state = request.getState() == JobState.JOB_STATE_UNSPECIFIED ? null
                    : JobLifecycle.State.fromProto(request.getState());
            String type = request.getType() == JobType.JOB_TYPE_UNSPECIFIED ? null : JobTypes.fromProto(request.getType());
            Page<JobEntity> page = queue.list(caller.scope(), state, type, request.getStudyId(), request.getPageToken(),
                    request.getPageSize());
            return ListJobsResponse.newBuilder()
                    .addAllJobs(page.items().stream().map(this::toProto).toList())
                    .setNextPageToken(page.nextPageToken())
                    .build();
        });
    }

    @Override
    public void cancelJob(CancelJobRequest request, StreamObserver<Job> response) {
        Rpc.unary(response, () -> toProto(queue.cancel(caller.scope(), request.getId(), request.getReason())));
    }

    @Override
    public void watchJob(WatchJobRequest request, StreamObserver<JobEvent> response) {
        TeamScope scope = caller.scope();
        Identity identity = caller.identity();
        try {
            queue.get(scope, request.getId());
        } catch (RuntimeException unknownJob) {
            response.onError(GrpcErrors.toStatus(unknownJob));
            return;
        }
        // each poll asks again who the caller is: a revoked key or grant ends the stream
        poller.follow((ServerCallStreamObserver<JobEvent>) response, watchPollMillis,
                () -> queue.get(authenticator.refresh(identity).scope(), request.getId()),
                job -> job.version,
                JobEntity::isFinished,
                job -> JobEvent.newBuilder().setJob(toProto(job)).setObservedAt(Times.of(Times.now())).build());
    }

    @Override
    public void claimJob(ClaimJobRequest request, StreamObserver<ClaimJobResponse> response) {
        Rpc.unary(response, () -> {
            ClaimJobResponse.Builder claimed = ClaimJobResponse.newBuilder();
            queue.claim(request.getWorkerId(), request.getTypesList(), request.getLeaseSeconds(), workerTeam())
                    .ifPresent(job -> claimed.setJob(toProto(job)));
            return claimed.build();
        });
    }

    @Override
    public void heartbeat(HeartbeatRequest request, StreamObserver<HeartbeatResponse> response) {
        Rpc.unary(response, () -> {
            JobEntity job = queue.heartbeat(workerScope(), request.getJobId(), request.getWorkerId(),
                    request.getAttempt(), request.hasProgress() ? request.getProgress() : null, request.getCheckpointUri(), request.getLeaseSeconds());
            return HeartbeatResponse.newBuilder()
                    .setLeaseExpiresAt(Times.of(job.leaseExpiresAt))
                    .setCancelRequested(job.cancelRequested || job.state != JobLifecycle.State.RUNNING)
                    .build();
        });
    }

    @Override
    public void completeJob(CompleteJobRequest request, StreamObserver<Job> response) {
        Rpc.unary(response, () -> toProto(queue.complete(workerScope(), request.getJobId(), request.getWorkerId(), request.getAttempt(),
                request.getResultIdsList())));
    }

    @Override
    public void failJob(FailJobRequest request, StreamObserver<Job> response) {
        Rpc.unary(response, () -> toProto(queue.fail(workerScope(), request.getJobId(), request.getWorkerId(), request.getAttempt(),
                request.getError(),
                request.getRetryable())));
    }

    /** Service keys claim every team's jobs; any other key only its own team's (a team may run its own worker). */
    private String workerTeam() {
        return caller.identity().isService() ? null : caller.teamId();
    }

    /** Service keys report on any job they hold the lease of; any other key on its own team's only. */
    private TeamScope workerScope() {
        return caller.identity().isService() ? null : caller.scope();
    }

    private Job toProto(JobEntity job) {
        return mapper.job(job, queue.dependenciesOf(job.id));
    }
}

package dev.calibra.runtime.worker;

import dev.calibra.proto.v1.ClaimJobRequest;
import dev.calibra.proto.v1.ClaimJobResponse;
import dev.calibra.proto.v1.CompleteJobRequest;
import dev.calibra.proto.v1.FailJobRequest;
import dev.calibra.proto.v1.HeartbeatRequest;
import dev.calibra.proto.v1.HeartbeatResponse;
import dev.calibra.proto.v1.Job;
import dev.calibra.proto.v1.JobsGrpc;
import dev.calibra.rpc.Channels;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/** A queue on 127.0.0.1 that hands out the jobs it was given and records what the worker told it. */
final class FakeJobs extends JobsGrpc.JobsImplBase implements AutoCloseable {

    final Queue<Job> queued = new ConcurrentLinkedQueue<>();
    final List<HeartbeatRequest> heartbeats = new CopyOnWriteArrayList<>();
    final List<CompleteJobRequest> completed = new CopyOnWriteArrayList<>();
    final List<FailJobRequest> failed = new CopyOnWriteArrayList<>();
    private final Server server;
    final ManagedChannel channel;

    FakeJobs() throws IOException {
        server = ServerBuilder.forPort(0).addService(this).build().start();
        channel = Channels.open("127.0.0.1:" + server.getPort());
    }

    JobsGrpc.JobsBlockingStub stub() {
        return JobsGrpc.newBlockingStub(channel);
    }

    @Override
    public void claimJob(ClaimJobRequest request, StreamObserver<ClaimJobResponse> response) {
        Job job = queued.poll();
        response.onNext(job == null ? ClaimJobResponse.getDefaultInstance() : ClaimJobResponse.newBuilder().setJob(job).build());
        response.onCompleted();
    }

    @Override
    public void heartbeat(HeartbeatRequest request, StreamObserver<HeartbeatResponse> response) {
        heartbeats.add(request);
        response.onNext(HeartbeatResponse.getDefaultInstance());
        response.onCompleted();
    }

    @Override
    public void completeJob(CompleteJobRequest request, StreamObserver<Job> response) {
        completed.add(request);
        response.onNext(Job.getDefaultInstance());
        response.onCompleted();
    }

    @Override
    public void failJob(FailJobRequest request, StreamObserver<Job> response) {
        failed.add(request);
        response.onNext(Job.getDefaultInstance());
        response.onCompleted();
    }

    @Override
    public void close() {
        Channels.close(channel);
        server.shutdownNow();
    }
}

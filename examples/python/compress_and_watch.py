#!/usr/bin/env python3
"""Submit a compression job to a Calibra registry and watch it until it finishes, from Python.

Stubs come from proto/ with grpc_tools (Debian: python3-grpcio python3-grpc-tools); see README.md:
    ./make_stubs.sh /tmp/calibra-stubs
    PYTHONPATH=/tmp/calibra-stubs python3 compress_and_watch.py --model MODEL --calibration-set SET --bits 4

Sends `authorization: Bearer $CALIBRA_API_KEY` on every call when CALIBRA_API_KEY is set.
Prints one tab-separated line per change of the job (state, percent done, progress message), then
`model<TAB>id<TAB>name<TAB>artifact_uri` for the registered result.
Exit status: 0 the job succeeded; 1 it failed or was cancelled (the reason on stderr); 2 a call was
refused (the gRPC status code and its description on stderr). UNAVAILABLE is retried until --timeout.
"""
import argparse
import os
import sys
import time
import uuid

import grpc
from calibra.v1 import compression_pb2, jobs_pb2, jobs_pb2_grpc, registry_pb2, registry_pb2_grpc

FINISHED = {jobs_pb2.JOB_STATE_SUCCEEDED, jobs_pb2.JOB_STATE_FAILED, jobs_pb2.JOB_STATE_CANCELLED}


def credentials_metadata():
    """The API key as call metadata, or none when CALIBRA_API_KEY is unset (a stack without keys)."""
    key = os.environ.get("CALIBRA_API_KEY", "")
    return [("authorization", "Bearer " + key)] if key else []


def compress_request(args) -> jobs_pb2.SubmitJobRequest:
    # Only the flags given are set: a field left unset takes the method's default, a set one is checked as given.
    given = {name: value for name, value in
             (("bits", args.bits), ("group_size", args.group_size), ("sparsity", args.sparsity)) if value is not None}
    parameters = compression_pb2.CompressionParameters(**given)
    compress = compression_pb2.CompressRequest(model_id=args.model, calibration_set_id=args.calibration_set,
                                               method=args.method, parameters=parameters,
                                               output_name=args.output_name)
    # A request id makes the submission idempotent: running the script again with the same id
    # watches the first job instead of queueing a second one.
    return jobs_pb2.SubmitJobRequest(spec=jobs_pb2.JobSpec(compress=compress), request_id=args.request_id)


def retry_unavailable(call, deadline: float):
    """Runs a unary call, again while it fails with UNAVAILABLE (registry or database restarting) and time is left.

    Safe for every call here: SubmitJob carries a request id, so a retried submission returns the first job.
    """
    while True:
        try:
            return call()
        except grpc.RpcError as error:
            if error.code() != grpc.StatusCode.UNAVAILABLE or time.monotonic() > deadline:
                raise
            print(f"registry unavailable ({error.details()}); retrying", file=sys.stderr, flush=True)
            time.sleep(1)


def watch(jobs, job_id: str, metadata, deadline: float) -> jobs_pb2.Job:
    """Follows WatchJob until the job is finished; reconnects while the registry is briefly away."""
    last = None
    while True:
        try:
            for event in jobs.WatchJob(jobs_pb2.WatchJobRequest(id=job_id), metadata=metadata,
                                       timeout=max(1.0, deadline - time.monotonic())):
                job = event.job
                line = (jobs_pb2.JobState.Name(job.state), f"{job.progress.fraction:.0%}", job.progress.message)
                if line != last:
                    print("\t".join(line), flush=True)
                    last = line
                if job.state in FINISHED:
                    return job
        except grpc.RpcError as error:
            if error.code() != grpc.StatusCode.UNAVAILABLE or time.monotonic() > deadline:
                raise
            print(f"watch interrupted ({error.details()}); watching again", file=sys.stderr, flush=True)
            time.sleep(1)  # the registry restarts: watch again from its current state
            continue
        # The stream ended without a finished job (e.g. the server closed it): ask once more.
        job = retry_unavailable(lambda: jobs.GetJob(jobs_pb2.GetJobRequest(id=job_id), metadata=metadata, timeout=10),
                                deadline)
        if job.state in FINISHED:
            return job


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registry", default=os.environ.get("CALIBRA_REGISTRY", "127.0.0.1:9101"),
                        help="registry address HOST:PORT (default $CALIBRA_REGISTRY or 127.0.0.1:9101)")
    parser.add_argument("--model", required=True, help="base model id or name")
    parser.add_argument("--calibration-set", default="", help="calibration set id (not needed by magnitude, rtn)")
    parser.add_argument("--method", default="gptq", help="gptq, rtn, sparsegpt, wanda or magnitude")
    parser.add_argument("--bits", type=int, help="quantization bits (gptq, rtn); default: the method's")
    parser.add_argument("--group-size", type=int, help="columns per quantization group; default: per channel")
    parser.add_argument("--sparsity", type=float, help="sparsity ratio in (0, 1) for pruning methods")
    parser.add_argument("--output-name", default="", help="name of the registered result")
    parser.add_argument("--request-id", default=str(uuid.uuid4()), help="idempotency key (default: a new UUID)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds to wait for the job (default 1800)")
    args = parser.parse_args(argv)

    metadata = credentials_metadata()
    deadline = time.monotonic() + args.timeout
    with grpc.insecure_channel(args.registry) as channel:
        jobs = jobs_pb2_grpc.JobsStub(channel)
        registry = registry_pb2_grpc.RegistryStub(channel)
        try:
            request = compress_request(args)
            job = retry_unavailable(lambda: jobs.SubmitJob(request, metadata=metadata, timeout=30), deadline)
            print(f"submitted\t{job.id}", flush=True)
            job = watch(jobs, job.id, metadata, deadline)
            if job.state != jobs_pb2.JOB_STATE_SUCCEEDED:
                print(f"job {job.id} {jobs_pb2.JobState.Name(job.state)}: {job.error}", file=sys.stderr)
                return 1
            get_model = registry_pb2.GetModelRequest(id=job.result_ids[0])
            model = retry_unavailable(lambda: registry.GetModel(get_model, metadata=metadata, timeout=10), deadline)
            print(f"model\t{model.id}\t{model.name}\t{model.artifact_uri}", flush=True)
            return 0
        except grpc.RpcError as error:
            print(f"{error.code().name}: {error.details()}", file=sys.stderr)
            return 2


if __name__ == "__main__":
    sys.exit(main())

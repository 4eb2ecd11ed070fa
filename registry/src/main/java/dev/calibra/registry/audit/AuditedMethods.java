package dev.calibra.registry.audit;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import dev.calibra.proto.v1.AdminGrpc;
import dev.calibra.proto.v1.ClaimJobResponse;
import dev.calibra.proto.v1.JobsGrpc;
import dev.calibra.proto.v1.RegistryGrpc;
import dev.calibra.proto.v1.StudiesGrpc;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Which calls the audit log records (every one that can change a record) and what it names as their
 * target. Heartbeat is left out on purpose: it only renews a lease and moves progress, every few
 * seconds per running job, and would drown the log; the job's claim and its end are recorded.
 */
public final class AuditedMethods {

    private static final Set<String> MUTATING = Stream.of(
            RegistryGrpc.getRegisterModelMethod(), RegistryGrpc.getRegisterCorpusMethod(),
            RegistryGrpc.getRegisterCalibrationSetMethod(), RegistryGrpc.getRecordScoresMethod(),
            RegistryGrpc.getUpdateModelMethod(), RegistryGrpc.getDeleteModelMethod(),
            JobsGrpc.getSubmitJobMethod(), JobsGrpc.getCancelJobMethod(), JobsGrpc.getClaimJobMethod(),
            JobsGrpc.getCompleteJobMethod(), JobsGrpc.getFailJobMethod(),
            StudiesGrpc.getCreateStudyMethod(), StudiesGrpc.getCancelStudyMethod(),
            AdminGrpc.getCreateTeamMethod(), AdminGrpc.getSetTeamQuotaMethod(), AdminGrpc.getCreateApiKeyMethod(),
            AdminGrpc.getRevokeApiKeyMethod(), AdminGrpc.getGrantReadMethod(), AdminGrpc.getRevokeReadMethod())
            .map(MethodDescriptor::getFullMethodName).collect(Collectors.toUnmodifiableSet());

    private static final String CLAIM_JOB = JobsGrpc.getClaimJobMethod().getFullMethodName();
    private static final String CREATE_TEAM = AdminGrpc.getCreateTeamMethod().getFullMethodName();
    private static final int MAX_TARGET_IDS = 10;

    private AuditedMethods() {}

    public static boolean isAudited(String fullMethodName) {
        return MUTATING.contains(fullMethodName);
    }

    public static Set<String> all() {
        return MUTATING;
    }

    /** A worker's empty poll changes nothing; recording it would fill the log with one row per poll. */
    static boolean worthRecording(String method, Status status, Object response) {
        return !(CLAIM_JOB.equals(method) && status.isOk() && response instanceof ClaimJobResponse claim && !claim.hasJob());
    }

    /**
     * The record a call created or changed: the `id` of the response (or of the message it carries, or
     * the ids of the scores it recorded), else the request's id, job id or team.
     */
    static String target(String method, Object request, Object response) {
        String fromResponse = response instanceof Message message ? idOf(message) : "";
        if (!fromResponse.isEmpty()) {
            return fromResponse;
        }
        if (!(request instanceof Message message)) {
            return "";
        }
        for (String field : List.of("id", "job_id", "reader_team", "team")) {
            String value = stringField(message, field);
            if (!value.isEmpty()) {
                return value;
            }
        }
        return CREATE_TEAM.equals(method) ? stringField(message, "name") : "";
    }

    private static String idOf(Message message) {
        String id = stringField(message, "id");
        if (!id.isEmpty()) {
            return id;
        }
        for (FieldDescriptor field : message.getDescriptorForType().getFields()) {
            if (field.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
                continue;
            }
            if (!field.isRepeated() && message.hasField(field)) {
                String nested = stringField((Message) message.getField(field), "id");
                if (!nested.isEmpty()) {
                    return nested;
                }
            } else if (field.isRepeated() && message.getRepeatedFieldCount(field) > 0) {
                List<String> ids = new ArrayList<>();
                int count = message.getRepeatedFieldCount(field);
                for (int i = 0; i < Math.min(count, MAX_TARGET_IDS); i++) {
                    ids.add(stringField((Message) message.getRepeatedField(field, i), "id"));
                }
                String joined = String.join(",", ids);
                return count > MAX_TARGET_IDS ? joined + ",... (" + count + " in all)" : joined;
            }
        }
        return stringField(message, "reader_team");
    }

    private static String stringField(Message message, String name) {
        FieldDescriptor field = message.getDescriptorForType().findFieldByName(name);
        if (field == null || field.isRepeated() || field.getJavaType() != FieldDescriptor.JavaType.STRING) {
            return "";
        }
        return (String) message.getField(field);
    }
}

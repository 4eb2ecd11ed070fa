package dev.calibra.cli.commands;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Timestamp;
import dev.calibra.cli.CalibraCommand;
import dev.calibra.cli.FlagValues;
import dev.calibra.cli.Output;
import dev.calibra.cli.Services;
import dev.calibra.proto.v1.AdminGrpc;
import dev.calibra.proto.v1.ApiKey;
import dev.calibra.proto.v1.AuditEntry;
import dev.calibra.proto.v1.CreateApiKeyRequest;
import dev.calibra.proto.v1.CreateApiKeyResponse;
import dev.calibra.proto.v1.CreateTeamRequest;
import dev.calibra.proto.v1.CreateTeamResponse;
import dev.calibra.proto.v1.ListApiKeysRequest;
import dev.calibra.proto.v1.ListTeamsRequest;
import dev.calibra.proto.v1.QueryAuditRequest;
import dev.calibra.proto.v1.QueryAuditResponse;
import dev.calibra.proto.v1.RevokeApiKeyRequest;
import dev.calibra.proto.v1.SetTeamQuotaRequest;
import dev.calibra.proto.v1.Team;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** calibra admin teams|keys|audit: what the platform team does (needs a key with the admin role). */
@Command(name = "admin", description = "Manage teams, API keys and quotas; read the audit log.",
        subcommands = {AdminCommand.Teams.class, AdminCommand.Keys.class, AdminCommand.Audit.class})
public final class AdminCommand {

    @ParentCommand CalibraCommand root;

    static AdminGrpc.AdminBlockingStub admin(Services services) {
        return AdminGrpc.newBlockingStub(services.channel("registry"));
    }

    static String time(Timestamp timestamp) {
        return timestamp.getSeconds() == 0 ? "-" : Instant.ofEpochSecond(timestamp.getSeconds()).toString();
    }

    @Command(name = "teams", description = "Create and list teams; set their running-job quota.",
            subcommands = {Teams.Create.class, Teams.ListTeams.class, Teams.Quota.class})
    static final class Teams {
        @ParentCommand AdminCommand parent;

        @Command(name = "create", description = "Create a team and its first key (shown once).")
        static final class Create implements Callable<Integer> {
            @ParentCommand Teams parent;

            @Parameters(paramLabel = "NAME", description = "Team name: lower-case letters, digits and '-'.")
            String name;

            @Option(names = "--max-running", defaultValue = "0", converter = FlagValues.NonNegative.class, description = "Most jobs running at once; 0 = no limit.")
            int maxRunning;

            @Option(names = "--max-pending", defaultValue = "0", converter = FlagValues.NonNegative.class,
                    description = "Most jobs waiting at once; 0 = the registry's default.")
            int maxPending;

            @Option(names = "--key-ttl", defaultValue = "0", description = "Lifetime of the first key in seconds; 0 = none.")
            long keyTtl;

            @Override
            public Integer call() {
                CalibraCommand root = parent.parent.root;
                Output output = root.output();
                try (Services services = root.services()) {
                    CreateTeamResponse created = admin(services).createTeam(CreateTeamRequest.newBuilder()
                            .setName(name).setMaxRunningJobs(maxRunning).setMaxPendingJobs(maxPending).setKeyTtlSeconds(keyTtl).build());
                    output.line("team " + created.getTeam().getName() + " (" + created.getTeam().getId() + ")");
                    output.line("key  " + created.getSecret());
                    output.note("the key is shown only now; store it (e.g. as CALIBRA_API_KEY)");
                    ObjectNode json = output.object();
                    json.put("team", created.getTeam().getName());
                    json.put("team_id", created.getTeam().getId());
                    json.put("key", created.getSecret());
                    json.put("key_id", created.getApiKey().getId());
                    json.put("max_running_jobs", created.getTeam().getMaxRunningJobs());
                    json.put("max_pending_jobs", created.getTeam().getMaxPendingJobs());
                    output.emit(json);
                }
                return 0;
            }
        }

        @Command(name = "list", description = "List teams.")
        static final class ListTeams implements Callable<Integer> {
            @ParentCommand Teams parent;

            @Override
            public Integer call() {
                CalibraCommand root = parent.parent.root;
                Output output = root.output();
                ObjectNode json = output.object();
                ArrayNode teams = json.putArray("teams");
                try (Services services = root.services()) {
                    for (Team team : admin(services).listTeams(ListTeamsRequest.getDefaultInstance()).getTeamsList()) {
                        teams.add(Output.tree(team));
                        output.linef("%-24s %-24s max running %s", team.getName(), team.getId(),
                                team.getMaxRunningJobs() == 0 ? "-" : team.getMaxRunningJobs());
                    }
                }
                output.emit(json);
                return 0;
            }
        }

        @Command(name = "quota", description = "Set a team's limits of jobs running (0 = none) and waiting (--max-pending) at once.")
        static final class Quota implements Callable<Integer> {
            @ParentCommand Teams parent;

            @Parameters(index = "0", paramLabel = "TEAM") String team;

            @Parameters(index = "1", paramLabel = "MAX_RUNNING", converter = FlagValues.NonNegative.class) int maxRunning;

            @Option(names = "--max-pending", defaultValue = "0", converter = FlagValues.NonNegative.class,
                    description = "Most jobs waiting at once; 0 = the registry's default.")
            int maxPending;

            @Override
            public Integer call() {
                CalibraCommand root = parent.parent.root;
                Output output = root.output();
                try (Services services = root.services()) {
                    Team updated = admin(services).setTeamQuota(SetTeamQuotaRequest.newBuilder()
                            .setTeam(team).setMaxRunningJobs(maxRunning).setMaxPendingJobs(maxPending).build());
                    output.line(updated.getName() + ": at most " + (maxRunning == 0 ? "unlimited" : maxRunning) + " running jobs, "
                            + (maxPending == 0 ? "the registry's default of" : maxPending) + " waiting jobs");
                    output.emit(Output.tree(updated));
                }
                return 0;
            }
        }
    }

    @Command(name = "keys", description = "Issue, list and revoke API keys.",
            subcommands = {Keys.Create.class, Keys.ListKeys.class, Keys.Revoke.class})
    static final class Keys {
        @ParentCommand AdminCommand parent;

        @Command(name = "create", description = "Issue a key (its secret is shown once).")
        static final class Create implements Callable<Integer> {
            @ParentCommand Keys parent;

            @Option(names = "--team", defaultValue = "", description = "Team name; default: your own.") String team;

            @Option(names = "--role", defaultValue = "member", description = "member, admin or service.") String role;

            @Option(names = "--name", defaultValue = "", description = "A label, e.g. ci-pipeline.") String name;

            @Option(names = "--ttl", defaultValue = "0", description = "Lifetime in seconds; 0 = never expires.") long ttl;

            @Override
            public Integer call() {
                CalibraCommand root = parent.parent.root;
                Output output = root.output();
                try (Services services = root.services()) {
                    CreateApiKeyResponse created = admin(services).createApiKey(CreateApiKeyRequest.newBuilder()
                            .setTeam(team).setRole(role).setName(name).setTtlSeconds(ttl).build());
                    output.line("key " + created.getApiKey().getId() + " (" + created.getApiKey().getRole() + ", team "
                            + created.getApiKey().getTeam() + ")");
                    output.line(created.getSecret());
                    ObjectNode json = Output.tree(created.getApiKey());
                    json.put("key", created.getSecret());
                    output.emit(json);
                }
                return 0;
            }
        }

        @Command(name = "list", description = "List keys (never their secrets).")
        static final class ListKeys implements Callable<Integer> {
            @ParentCommand Keys parent;

            @Option(names = "--team", defaultValue = "") String team;

            @Override
            public Integer call() {
                CalibraCommand root = parent.parent.root;
                Output output = root.output();
                ObjectNode json = output.object();
                ArrayNode keys = json.putArray("api_keys");
                try (Services services = root.services()) {
                    for (ApiKey key : admin(services).listApiKeys(ListApiKeysRequest.newBuilder().setTeam(team).build())
                            .getApiKeysList()) {
                        keys.add(Output.tree(key));
                        String status = key.hasRevokedAt() ? "revoked " + time(key.getRevokedAt())
                                : key.hasExpiresAt() ? "expires " + time(key.getExpiresAt()) : "active";
                        output.linef("%-22s %-10s %-8s %-16s %-12s %s", key.getId(), key.getPrefix() + "...", key.getRole(),
                                key.getTeam(), key.getName(), status);
                    }
                }
                output.emit(json);
                return 0;
            }
        }

        @Command(name = "revoke", description = "Revoke a key at once.")
        static final class Revoke implements Callable<Integer> {
            @ParentCommand Keys parent;

            @Parameters(paramLabel = "KEY_ID") String id;

            @Override
            public Integer call() {
                CalibraCommand root = parent.parent.root;
                Output output = root.output();
                try (Services services = root.services()) {
                    ApiKey revoked = admin(services).revokeApiKey(RevokeApiKeyRequest.newBuilder().setId(id).build());
                    output.line("revoked " + revoked.getId() + " at " + time(revoked.getRevokedAt()));
                    output.emit(Output.tree(revoked));
                }
                return 0;
            }
        }
    }

    @Command(name = "audit", description = "The audit log of mutating calls, newest first.")
    static final class Audit implements Callable<Integer> {
        @ParentCommand AdminCommand parent;

        @Option(names = "--team", defaultValue = "") String team;

        @Option(names = "--method", defaultValue = "", description = "e.g. RegisterModel") String method;

        @Option(names = "--since", description = "ISO-8601 instant, e.g. 2026-11-29T00:00:00Z") String since;

        @Option(names = "--limit", defaultValue = "100") int limit;

        @Override
        public Integer call() {
            Output output = parent.root.output();
            QueryAuditRequest.Builder request = QueryAuditRequest.newBuilder().setTeam(team).setMethod(method);
            if (since != null) {
                Instant instant;
                try {
                    instant = Instant.parse(since);
                } catch (java.time.format.DateTimeParseException e) {
                    throw new IllegalArgumentException("--since " + since + " is not an ISO-8601 instant such as 2026-11-29T00:00:00Z");
                }
                request.setSince(Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()));
            }
            ObjectNode json = output.object();
            ArrayNode entries = json.putArray("entries");
            try (Services services = parent.root.services()) {
                String token = "";
                do {
                    QueryAuditResponse page = admin(services).queryAudit(request.setPageToken(token)
                            .setPageSize(Math.min(limit - entries.size(), 1000)).build());
                    for (AuditEntry entry : page.getEntriesList()) {
                        entries.add(Output.tree(entry));
                        output.linef("%s %-12s %-40s %-22s %s%s", time(entry.getAt()), entry.getTeam().isEmpty() ? "-" : entry.getTeam(),
                                entry.getMethod(), entry.getTarget().isEmpty() ? "-" : entry.getTarget(), entry.getOutcome(),
                                entry.getDetail().isEmpty() ? "" : " (" + entry.getDetail() + ")");
                    }
                    token = page.getNextPageToken();
                } while (!token.isEmpty() && entries.size() < limit);
            }
            output.emit(json);
            return 0;
        }
    }
}

package dev.calibra.cli.commands;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.calibra.cli.CalibraCommand;
import dev.calibra.cli.Output;
import dev.calibra.cli.Services;
import dev.calibra.proto.v1.Grant;
import dev.calibra.proto.v1.GrantReadRequest;
import dev.calibra.proto.v1.Identity;
import dev.calibra.proto.v1.ListGrantsRequest;
import dev.calibra.proto.v1.ListGrantsResponse;
import dev.calibra.proto.v1.RevokeReadRequest;
import dev.calibra.proto.v1.WhoAmIRequest;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** calibra access whoami|grant|revoke|list: the caller's identity and its team's read grants. */
@Command(name = "access", description = "Who you are, and which teams may read your team's records.",
        subcommands = {AccessCommand.WhoAmI.class, AccessCommand.GrantRead.class, AccessCommand.RevokeRead.class,
                AccessCommand.ListGrants.class})
public final class AccessCommand {

    @ParentCommand CalibraCommand root;

    @Command(name = "whoami", description = "The team and role of the key in use.")
    static final class WhoAmI implements Callable<Integer> {
        @ParentCommand AccessCommand parent;

        @Override
        public Integer call() {
            Output output = parent.root.output();
            try (Services services = parent.root.services()) {
                Identity identity = AdminCommand.admin(services).whoAmI(WhoAmIRequest.getDefaultInstance());
                output.line("team " + identity.getTeam() + ", role " + identity.getRole() + ", key " + identity.getKeyId());
                output.emit(Output.tree(identity));
            }
            return 0;
        }
    }

    @Command(name = "grant", description = "Let another team read your team's records.")
    static final class GrantRead implements Callable<Integer> {
        @ParentCommand AccessCommand parent;

        @Parameters(paramLabel = "TEAM") String reader;

        @Override
        public Integer call() {
            Output output = parent.root.output();
            try (Services services = parent.root.services()) {
                Grant grant = AdminCommand.admin(services).grantRead(GrantReadRequest.newBuilder().setReaderTeam(reader).build());
                output.line(grant.getReaderTeam() + " may now read " + grant.getOwnerTeam() + "'s records");
                output.emit(Output.tree(grant));
            }
            return 0;
        }
    }

    @Command(name = "revoke", description = "Withdraw another team's read access.")
    static final class RevokeRead implements Callable<Integer> {
        @ParentCommand AccessCommand parent;

        @Parameters(paramLabel = "TEAM") String reader;

        @Override
        public Integer call() {
            Output output = parent.root.output();
            try (Services services = parent.root.services()) {
                Grant grant = AdminCommand.admin(services).revokeRead(RevokeReadRequest.newBuilder().setReaderTeam(reader).build());
                output.line(grant.getReaderTeam() + " may no longer read " + grant.getOwnerTeam() + "'s records");
                output.emit(Output.tree(grant));
            }
            return 0;
        }
    }

    @Command(name = "list", description = "Read grants your team gave and received.")
    static final class ListGrants implements Callable<Integer> {
        @ParentCommand AccessCommand parent;

        @Override
        public Integer call() {
            Output output = parent.root.output();
            ObjectNode json = output.object();
            ArrayNode given = json.putArray("given");
            ArrayNode received = json.putArray("received");
            try (Services services = parent.root.services()) {
                ListGrantsResponse grants = AdminCommand.admin(services).listGrants(ListGrantsRequest.getDefaultInstance());
                for (Grant grant : grants.getGivenList()) {
                    given.add(Output.tree(grant));
                    output.line("given     " + grant.getReaderTeam() + " reads " + grant.getOwnerTeam());
                }
                for (Grant grant : grants.getReceivedList()) {
                    received.add(Output.tree(grant));
                    output.line("received  " + grant.getReaderTeam() + " reads " + grant.getOwnerTeam());
                }
            }
            output.emit(json);
            return 0;
        }
    }
}

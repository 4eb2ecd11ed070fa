package dev.calibra.registry.audit;

import dev.calibra.registry.team.Identity;
import dev.calibra.rpc.CalibraException;
import dev.calibra.rpc.PageToken;
import io.grpc.Status;
import io.quarkus.panache.common.Parameters;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import org.jboss.logging.Logger;

/** Writes one row per audited call and answers QueryAudit. */
@ApplicationScoped
public class AuditLog {

    private static final Logger LOG = Logger.getLogger(AuditLog.class);
    private static final int MAX_DETAIL_CHARS = 2000;

    /** One page of entries, newest first. */
    public record Page(List<AuditEntryEntity> entries, String nextPageToken) {}

    private final AuditWriter writer;

    public AuditLog(AuditWriter writer) {
        this.writer = writer;
    }

    /**
     * Records a finished call, committed before this returns (batched with the rows of calls closing at the same
     * time, {@link AuditWriter}). A failure to write is logged, not thrown: the call has already been answered.
     *
     * @param who null when the call was not authenticated
     */
    public void record(Identity who, String method, String target, Status status) {
        String detail = status.isOk() || status.getDescription() == null ? "" : status.getDescription();
        try {
            writer.write(new AuditWriter.Row(Instant.now(), who == null ? null : who.teamId(), who == null ? "" : who.keyId(),
                    who == null ? "" : who.role(), method, target, status.getCode().name(),
                    detail.length() > MAX_DETAIL_CHARS ? detail.substring(0, MAX_DETAIL_CHARS) : detail));
        } catch (RuntimeException e) {
            LOG.errorf("could not write the audit row of %s (%s, target %s): %s", method, status.getCode(), target, e.getMessage());
        }
    }

    /**
     * Entries newest first. Filters: teamId (null = all), method (full name or the part after "/",
     * empty = all), since (null = all).
     */
    public Page query(String teamId, String method, Instant since, String pageToken, int requestedPageSize) {
        int pageSize = PageToken.pageSize(requestedPageSize);
        StringBuilder where = new StringBuilder("1 = 1");
        Parameters parameters = new Parameters();
        if (teamId != null) {
            where.append(" and teamId = :team");
            parameters.and("team", teamId);
        }
        if (!method.isBlank()) {
            String name = method.strip();
            where.append(name.contains("/") ? " and method = :method" : " and method like :method");
            parameters.and("method", name.contains("/") ? name : "%/" + name);
        }
        if (since != null) {
            where.append(" and at >= :since");
            parameters.and("since", since);
        }
        String after = PageToken.decode(pageToken);
        if (after != null) {
            try {
                parameters.and("after", Long.parseLong(after));
            } catch (NumberFormatException e) {
                throw CalibraException.invalidArgument("page_token '" + pageToken + "' is not a token returned by QueryAudit");
            }
            where.append(" and id < :after");
        }
        List<AuditEntryEntity> rows = AuditEntryEntity.<AuditEntryEntity>find(where + " order by id desc", parameters)
                .page(0, pageSize + 1).list();
        if (rows.size() <= pageSize) {
            return new Page(rows, "");
        }
        List<AuditEntryEntity> entries = rows.subList(0, pageSize);
        return new Page(entries, PageToken.encode(String.valueOf(entries.get(pageSize - 1).id)));
    }
}

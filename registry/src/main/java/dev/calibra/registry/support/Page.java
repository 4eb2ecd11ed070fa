package dev.calibra.registry.support;

import dev.calibra.rpc.PageToken;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Parameters;
import java.util.List;
import java.util.function.Function;

/** One page of a List RPC, with the token of the next page (empty on the last one). */
public record Page<T>(List<T> items, String nextPageToken) {

    /**
     * Keyset paging, newest first, over time-ordered ids: rows matching {@code where} with an id below
     * the token's. Fetches one row more than asked to know whether another page follows.
     */
    public static <E> Page<E> query(PanacheRepositoryBase<E, String> repository, String where, Parameters parameters,
            String pageToken, int requestedPageSize, Function<E, String> idOf) {
        int pageSize = PageToken.pageSize(requestedPageSize);
        String after = PageToken.decode(pageToken);
        String query = where;
        if (after != null) {
            query = "(" + where + ") and id < :pageAfter";
            parameters.and("pageAfter", after);
        }
        List<E> rows = repository.find(query + " order by id desc", parameters).page(0, pageSize + 1).list();
        if (rows.size() <= pageSize) {
            return new Page<>(rows, "");
        }
        List<E> items = rows.subList(0, pageSize);
        return new Page<>(items, PageToken.encode(idOf.apply(items.get(pageSize - 1))));
    }
}

package dev.calibra.rpc;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Opaque page tokens for List RPCs: the last key of the previous page (keyset paging, so pages stay
 * stable while rows are added).
 */
public final class PageToken {

    public static final int DEFAULT_PAGE_SIZE = 100;
    public static final int MAX_PAGE_SIZE = 1000;

    private PageToken() {}

    public static String encode(String lastKey) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(lastKey.getBytes(StandardCharsets.UTF_8));
    }

    /** The key after which the page starts, or null for the first page. */
    public static String decode(String token) {
        if (token == null || token.isEmpty()) {
            return null;
        }
        try {
            return new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw CalibraException.invalidArgument("page_token '" + token + "' is not a token returned by this service");
        }
    }

    public static int pageSize(int requested) {
        if (requested < 0 || requested > MAX_PAGE_SIZE) {
            throw CalibraException.invalidArgument("page_size must be between 0 and " + MAX_PAGE_SIZE + ", got " + requested);
        }
        return requested == 0 ? DEFAULT_PAGE_SIZE : requested;
    }
}

package dev.calibra.evaluation.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BoundedCacheTest {

    private static BoundedCache<String, String> cache(long maxWeight) {
        return new BoundedCache<>(maxWeight, String::length);
    }

    @Test
    void get_sameKeyTwice_loadsOnce() {
        BoundedCache<String, String> cache = cache(100);
        AtomicInteger loads = new AtomicInteger();
        String first = cache.get("a", () -> "value" + loads.incrementAndGet());
        String second = cache.get("a", () -> "value" + loads.incrementAndGet());
        assertSame(first, second);
        assertEquals(1, loads.get());
    }

    @Test
    void get_pastTheWeight_evictsTheLeastRecentlyUsed() {
        BoundedCache<String, String> cache = cache(10);
        cache.get("a", () -> "aaaa");
        cache.get("b", () -> "bbbb");
        cache.get("a", () -> "never");          // a is now the most recent
        cache.get("c", () -> "cccc");           // 12 > 10: b leaves, not a
        assertTrue(cache.contains("a"));
        assertFalse(cache.contains("b"));
        assertTrue(cache.contains("c"));
        assertEquals(8, cache.weight());
    }

    @Test
    void get_valueHeavierThanTheBound_returnedButNotKept() {
        BoundedCache<String, String> cache = cache(3);
        cache.get("small", () -> "ab");
        assertEquals("abcd", cache.get("big", () -> "abcd"));
        assertFalse(cache.contains("big"));
        assertTrue(cache.contains("small"));   // the oversize value evicted nothing
    }

    @Test
    void get_loaderThrowsOrReturnsNull_keepsNothing() {
        BoundedCache<String, String> cache = cache(100);
        assertThrows(IOException.class, () -> cache.get("a", () -> {
            throw new IOException("unreadable");
        }));
        assertEquals(null, cache.get("b", () -> null));
        assertEquals(0, cache.size());
        assertEquals("loaded", cache.get("a", () -> "loaded"));
    }

    @Test
    void new_negativeBound_refused() {
        assertThrows(IllegalArgumentException.class, () -> cache(-1));
    }
}

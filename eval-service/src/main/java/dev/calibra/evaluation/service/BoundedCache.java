package dev.calibra.evaluation.service;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * A least-recently-used map bounded by the total weight of its values (tokens, characters): the eldest
 * entries leave when a new one would pass the bound, and a value heavier than the bound alone is returned
 * but not kept. Values are computed outside the lock, so two threads may compute the same one; the
 * loaders are deterministic, so either result is the same.
 */
public final class BoundedCache<K, V> {

    /** Computes a missing value. */
    @FunctionalInterface
    public interface Loader<V, E extends Exception> {
        V load() throws E;
    }

    private final long maxWeight;
    private final ToLongFunction<V> weigher;
    private final LinkedHashMap<K, V> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long weight;
    private long hits;
    private long misses;

    public BoundedCache(long maxWeight, ToLongFunction<V> weigher) {
        if (maxWeight < 0) {
            throw new IllegalArgumentException("maxWeight must be >= 0, got " + maxWeight);
        }
        this.maxWeight = maxWeight;
        this.weigher = weigher;
    }

    /**
     * The value of {@code key}, computed by {@code loader} when absent; a loader that throws, or returns null,
     * leaves nothing.
     */
    public <E extends Exception> V get(K key, Loader<V, E> loader) throws E {
        synchronized (this) {
            V known = entries.get(key);
            if (known != null) {
                hits++;
                return known;
            }
            misses++;
        }
        V value = loader.load();
        put(key, value);
        return value;
    }

    private synchronized void put(K key, V value) {
        if (value == null) {
            return;
        }
        long added = weigher.applyAsLong(value);
        if (added > maxWeight) {
            return;
        }
        V replaced = entries.put(key, value);
        weight += added - (replaced == null ? 0 : weigher.applyAsLong(replaced));
        Iterator<Map.Entry<K, V>> eldest = entries.entrySet().iterator();
        while (weight > maxWeight && eldest.hasNext()) {
            Map.Entry<K, V> entry = eldest.next();
            weight -= weigher.applyAsLong(entry.getValue());
            eldest.remove();
        }
    }

    public synchronized boolean contains(K key) {
        return entries.containsKey(key);
    }

    public synchronized int size() {
        return entries.size();
    }

    public synchronized long weight() {
        return weight;
    }

    /** Lookups answered from the cache, and those that ran the loader. */
    public synchronized String stats() {
        return hits + " hits, " + misses + " misses, " + entries.size() + " entries, weight " + weight + " of " + maxWeight;
    }
}

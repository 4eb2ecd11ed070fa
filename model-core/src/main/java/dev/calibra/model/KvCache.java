package dev.calibra.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Per-layer keys and values of the positions seen so far ({@code [batch, kv_heads, positions, head_dim]},
 * after rotary embedding), so each generated token costs one 1-token forward. Owns its native memory.
 */
public final class KvCache implements AutoCloseable {

    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;
    private int length;

    public KvCache(NDManager parent, int layers) {
        this.manager = parent.newSubManager();
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
    }

    /** Positions already cached; the next token's position. */
    public int length() {
        return length;
    }

    public NDArray keys(int layer) {
        return keys[layer];
    }

    public NDArray values(int layer) {
        return values[layer];
    }

    /**
     * Appends a layer's new keys and values along the position axis and returns the full arrays; the
     * returned arrays belong to the cache.
     */
    public NDArray[] append(int layer, NDArray newKeys, NDArray newValues) {
        keys[layer] = appendTo(keys[layer], newKeys);
        values[layer] = appendTo(values[layer], newValues);
        return new NDArray[] {keys[layer], values[layer]};
    }

    private NDArray appendTo(NDArray cached, NDArray fresh) {
        if (cached == null) {
            NDArray copy = fresh.duplicate();
            copy.attach(manager);
            return copy;
        }
        NDArray joined = cached.concat(fresh, 2);
        joined.attach(manager);
        cached.close();
        return joined;
    }

    /** Called by the model once every layer has appended a forward's positions. */
    public void advance(int positions) {
        length += positions;
    }

    @Override
    public void close() {
        manager.close();
    }
}

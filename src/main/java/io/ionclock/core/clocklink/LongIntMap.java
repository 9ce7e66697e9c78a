package io.ionclock.core.clocklink;

import java.util.Arrays;

/** Open-addressing long to int map with a fixed capacity (no allocation after construction). -1 means absent. */
final class LongIntMap {
    private final long[] keys;
    private final int[] values;
    private final boolean[] used;
    private final int mask;
    private final int entriesMax;
    private int size;

    LongIntMap(int entriesMax) {
        int cap = Integer.highestOneBit(Math.max(4, entriesMax * 2 - 1)) << 1;
        keys = new long[cap];
        values = new int[cap];
        used = new boolean[cap];
        mask = cap - 1;
        this.entriesMax = entriesMax;
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }

    int get(long key) {
        for (int i = slot(key); used[i]; i = (i + 1) & mask) {
            if (keys[i] == key) {
                return values[i];
            }
        }
        return -1;
    }

    /** Puts; returns false when full. */
    boolean put(long key, int value) {
        int i = slot(key);
        for (; used[i]; i = (i + 1) & mask) {
            if (keys[i] == key) {
                values[i] = value;
                return true;
            }
        }
        if (size == entriesMax) {
            return false;
        }
        used[i] = true;
        keys[i] = key;
        values[i] = value;
        size++;
        return true;
    }

    void remove(long key) {
        int i = slot(key);
        for (; used[i]; i = (i + 1) & mask) {
            if (keys[i] == key) {
                break;
            }
        }
        if (!used[i]) {
            return;
        }
        used[i] = false;
        size--;
        // Backward-shift the cluster after the hole.
        int j = (i + 1) & mask;
        while (used[j]) {
            long k = keys[j];
            int v = values[j];
            used[j] = false;
            size--;
            put(k, v);
            j = (j + 1) & mask;
        }
    }

    int size() {
        return size;
    }

    void clear() {
        Arrays.fill(used, false);
        size = 0;
    }
}

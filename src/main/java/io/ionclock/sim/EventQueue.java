package io.ionclock.sim;

import java.util.Arrays;

/**
 * The simulator's event queue: a binary min-heap on (time, insertion order) in primitive arrays, so events at one
 * instant run in the order they were scheduled (determinism) and nothing is allocated per event.
 */
final class EventQueue {
    private long[] time = new long[1024];
    private long[] order = new long[1024];
    private int[] kind = new int[1024];
    private int[] arg = new int[1024];
    private int size;
    private long nextOrder;

    // The popped event.
    long topTime;
    int topKind;
    int topArg;

    int size() {
        return size;
    }

    void push(long t, int k, int a) {
        if (size == time.length) {
            int n = size * 2;
            time = Arrays.copyOf(time, n);
            order = Arrays.copyOf(order, n);
            kind = Arrays.copyOf(kind, n);
            arg = Arrays.copyOf(arg, n);
        }
        int i = size++;
        long o = nextOrder++;
        while (i > 0) {
            int p = (i - 1) >>> 1;
            if (less(t, o, time[p], order[p])) {
                move(p, i);
                i = p;
            } else {
                break;
            }
        }
        time[i] = t;
        order[i] = o;
        kind[i] = k;
        arg[i] = a;
    }

    /** Pops the earliest event into topTime/topKind/topArg; false when empty. */
    boolean pop() {
        if (size == 0) {
            return false;
        }
        topTime = time[0];
        topKind = kind[0];
        topArg = arg[0];
        size--;
        if (size > 0) {
            long t = time[size];
            long o = order[size];
            int k = kind[size];
            int a = arg[size];
            int i = 0;
            while (true) {
                int c = 2 * i + 1;
                if (c >= size) {
                    break;
                }
                if (c + 1 < size && less(time[c + 1], order[c + 1], time[c], order[c])) {
                    c++;
                }
                if (less(time[c], order[c], t, o)) {
                    move(c, i);
                    i = c;
                } else {
                    break;
                }
            }
            time[i] = t;
            order[i] = o;
            kind[i] = k;
            arg[i] = a;
        }
        return true;
    }

    private static boolean less(long t1, long o1, long t2, long o2) {
        return t1 < t2 || (t1 == t2 && o1 < o2);
    }

    private void move(int from, int to) {
        time[to] = time[from];
        order[to] = order[from];
        kind[to] = kind[from];
        arg[to] = arg[from];
    }
}

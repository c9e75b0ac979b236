package dev.hibachi.store.index;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Sorts only a slice of a ranking: positions {@code 0..n-1} ordered by {@code keys[position]}, ties by position.
 * Afterwards {@code order[from, to)} holds, in order, what a full sort would put there; the rest is partitioned
 * around it but unsorted. Quicksort that descends only into the parts overlapping the slice: expected
 * O(n + k log k) for a slice of k, on primitive arrays, so page 1,000 of 100,000 rows costs about two passes
 * over the keys. Pivots are random; no two positions are equal.
 */
final class PartialSort {
    private static final int SMALL = 16;

    private PartialSort() {
    }

    /** The positions {@code 0..keys-1} (only the first {@code n} keys count), with {@code [from, to)} in order. */
    static int[] slice(long[] keys, int n, int from, int to, boolean descending) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        if (from < to) {
            sort(order, keys, 0, n, from, to, descending);
        }
        return order;
    }

    private static void sort(int[] a, long[] keys, int lo, int hi, int from, int to, boolean desc) {
        while (hi - lo > SMALL) {
            int p = partition(a, keys, lo, hi, desc);
            boolean left = from < p;
            boolean right = to > p + 1;
            if (left && right) {
                // recurse into the smaller side, loop on the larger one: the stack stays O(log n)
                if (p - lo < hi - p - 1) {
                    sort(a, keys, lo, p, from, to, desc);
                    lo = p + 1;
                } else {
                    sort(a, keys, p + 1, hi, from, to, desc);
                    hi = p;
                }
            } else if (left) {
                hi = p;
            } else if (right) {
                lo = p + 1;
            } else {
                return;
            }
        }
        for (int i = lo + 1; i < hi; i++) {
            int x = a[i];
            int j = i - 1;
            while (j >= lo && before(x, a[j], keys, desc)) {
                a[j + 1] = a[j];
                j--;
            }
            a[j + 1] = x;
        }
    }

    /** Partitions {@code a[lo, hi)} around a random pivot and returns the pivot's final index. */
    private static int partition(int[] a, long[] keys, int lo, int hi, boolean desc) {
        swap(a, lo + ThreadLocalRandom.current().nextInt(hi - lo), hi - 1);
        int pivot = a[hi - 1];
        int store = lo;
        for (int i = lo; i < hi - 1; i++) {
            if (before(a[i], pivot, keys, desc)) {
                swap(a, i, store++);
            }
        }
        swap(a, store, hi - 1);
        return store;
    }

    /** Whether position {@code x} ranks before {@code y}: by key, then by position; both reversed when descending. */
    private static boolean before(int x, int y, long[] keys, boolean desc) {
        long kx = keys[x];
        long ky = keys[y];
        if (kx != ky) {
            return desc ? kx > ky : kx < ky;
        }
        return desc ? x > y : x < y;
    }

    private static void swap(int[] a, int i, int j) {
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}

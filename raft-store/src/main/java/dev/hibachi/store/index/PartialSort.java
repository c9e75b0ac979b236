package dev.hibachi.store.index;

import java.util.Comparator;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Sorts only a slice of an array: afterwards {@code a[from, to)} holds, in order, what a full sort would put
 * there, and the rest is left partitioned around it but unsorted. Quicksort that descends only into the parts
 * that overlap the slice: expected O(n + k log k) for a slice of k, so page 1,000 of 100,000 rows costs about
 * two passes over them instead of a full sort. Pivots are random; the orders used here have no equal elements.
 */
final class PartialSort {
    private static final int SMALL = 16;

    private PartialSort() {
    }

    static <T> void slice(T[] a, int from, int to, Comparator<? super T> order) {
        if (from < to) {
            sort(a, 0, a.length, from, to, order);
        }
    }

    private static <T> void sort(T[] a, int lo, int hi, int from, int to, Comparator<? super T> order) {
        while (hi - lo > SMALL) {
            int p = partition(a, lo, hi, order);
            boolean left = from < p;
            boolean right = to > p + 1;
            if (left && right) {
                // recurse into the smaller side, loop on the larger one: the stack stays O(log n)
                if (p - lo < hi - p - 1) {
                    sort(a, lo, p, from, to, order);
                    lo = p + 1;
                } else {
                    sort(a, p + 1, hi, from, to, order);
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
        insertionSort(a, lo, hi, order);
    }

    /** Partitions {@code a[lo, hi)} around a random pivot and returns the pivot's final index. */
    private static <T> int partition(T[] a, int lo, int hi, Comparator<? super T> order) {
        swap(a, lo + ThreadLocalRandom.current().nextInt(hi - lo), hi - 1);
        T pivot = a[hi - 1];
        int store = lo;
        for (int i = lo; i < hi - 1; i++) {
            if (order.compare(a[i], pivot) < 0) {
                swap(a, i, store++);
            }
        }
        swap(a, store, hi - 1);
        return store;
    }

    private static <T> void insertionSort(T[] a, int lo, int hi, Comparator<? super T> order) {
        for (int i = lo + 1; i < hi; i++) {
            T x = a[i];
            int j = i - 1;
            while (j >= lo && order.compare(a[j], x) > 0) {
                a[j + 1] = a[j];
                j--;
            }
            a[j + 1] = x;
        }
    }

    private static <T> void swap(T[] a, int i, int j) {
        T t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}

package dev.hibachi.store.index;

/** One {@code key=value} of a job's metadata: what {@code metadata[key]=value} selects on. */
record Label(String key, String value) {
}

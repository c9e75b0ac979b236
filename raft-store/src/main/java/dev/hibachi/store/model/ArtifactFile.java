package dev.hibachi.store.model;

/** One artifact of an execution as listed: its path in the attempt's artifacts folder and its size in bytes. */
public record ArtifactFile(String path, long size) {
}

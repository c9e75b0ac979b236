package dev.hibachi.store.model;

/**
 * A member chosen to run an attempt: its node name and the incarnation it had when chosen. A member that
 * restarts gets a new incarnation, so a run addressed to its old self is refused rather than run twice.
 */
public record Target(String node, String incarnation) {
}

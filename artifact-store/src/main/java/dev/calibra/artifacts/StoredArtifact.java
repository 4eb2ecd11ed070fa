package dev.calibra.artifacts;

import java.net.URI;
import java.nio.file.Path;

/** A completed artifact: where it is and the sha256 of its content ({@link ContentHash}). */
public record StoredArtifact(String key, URI uri, Path path, String sha256, long sizeBytes) {}

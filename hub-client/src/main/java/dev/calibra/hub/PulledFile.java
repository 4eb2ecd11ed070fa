package dev.calibra.hub;

/**
 * One file of a pulled snapshot.
 *
 * @param path             path inside the repository, with '/' separators
 * @param sizeBytes        size in bytes
 * @param sha256           sha256 (hex) of the bytes, computed for every file, cache hits included
 * @param hubOid           the id the hub gave the file: the git blob sha1 for a regular file, the LFS sha256 for
 *                         an LFS file; it is also the blob's name in the cache
 * @param downloaded       true when the bytes came over the network in this pull, false for a cache hit
 * @param resumedFromBytes bytes that were already on disk from an earlier, cut download (0 if none)
 */
public record PulledFile(String path, long sizeBytes, String sha256, String hubOid, boolean downloaded, long resumedFromBytes) {}

package dev.calibra.hub;

/**
 * A file of a commit as the hub's tree API lists it.
 *
 * @param path      path inside the repository, '/'-separated, already checked to stay inside the snapshot
 * @param sizeBytes size of the file's bytes (for an LFS file, of the LFS object, not of its pointer)
 * @param gitOid    git blob sha1 (for an LFS file, of the pointer)
 * @param lfsSha256 sha256 of the LFS object, or null for a regular git file
 */
record RepoFile(String path, long sizeBytes, String gitOid, String lfsSha256) {

    boolean isLfs() {
        return lfsSha256 != null;
    }

    /**
     * The hash the bytes must have, and the blob's name in the cache: the sha256 for an LFS file, the git sha1
     * otherwise. It is what the hub sends as the file's ETag, which huggingface_hub names blobs by.
     */
    String blobId() {
        return isLfs() ? lfsSha256 : gitOid;
    }

    /** What {@link #blobId()} is a hash of, for messages. */
    String hashName() {
        return isLfs() ? "sha256" : "git blob sha1";
    }
}

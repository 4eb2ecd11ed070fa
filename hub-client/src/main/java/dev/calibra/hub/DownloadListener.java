package dev.calibra.hub;

/** Follows a pull, for a progress bar. Called on the pulling thread. */
public interface DownloadListener {

    /** Once, after the file list is known: how many files the pull covers and their total size in bytes. */
    void started(int files, long totalBytes);

    /**
     * Bytes of one file so far, and of the whole pull so far (cache hits count in full). Called at most
     * every ~64 KiB per file and once at each file's end; fileBytes can go back to 0 when a server ignores
     * a resume request and the file starts over.
     */
    void progress(String path, long fileBytes, long fileTotalBytes, long allBytes, long allTotalBytes);

    /** Once per file, after it is verified and linked into the snapshot folder. */
    default void fileDone(PulledFile file) {}

    /** A listener that ignores everything. */
    DownloadListener NONE = new DownloadListener() {
        @Override
        public void started(int files, long totalBytes) {}

        @Override
        public void progress(String path, long fileBytes, long fileTotalBytes, long allBytes, long allTotalBytes) {}
    };
}

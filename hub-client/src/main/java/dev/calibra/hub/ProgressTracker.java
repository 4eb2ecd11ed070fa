package dev.calibra.hub;

import java.util.List;

/** Adds bytes up across a pull's files and tells the listener at most every {@value #STEP_BYTES} bytes per file. */
final class ProgressTracker {

    static final long STEP_BYTES = 64 * 1024;

    private final DownloadListener listener;
    private final long allTotalBytes;
    private long doneBytes;
    private long lastReported = -1;

    ProgressTracker(DownloadListener listener, List<RepoFile> files) {
        this.listener = listener;
        this.allTotalBytes = files.stream().mapToLong(RepoFile::sizeBytes).sum();
        listener.started(files.size(), allTotalBytes);
    }

    /** The current file has {@code fileBytes} so far (it goes back to 0 when a download starts over). */
    void bytes(RepoFile file, long fileBytes) {
        if (fileBytes < lastReported || fileBytes - lastReported >= STEP_BYTES || lastReported < 0) {
            report(file, fileBytes);
        }
    }

    /** The file is verified and in the snapshot (downloaded or found in the cache). */
    void done(RepoFile file, PulledFile pulled) {
        if (lastReported != file.sizeBytes()) {
            report(file, file.sizeBytes());
        }
        doneBytes += file.sizeBytes();
        lastReported = -1;
        listener.fileDone(pulled);
    }

    private void report(RepoFile file, long fileBytes) {
        lastReported = fileBytes;
        listener.progress(file.path(), fileBytes, file.sizeBytes(), doneBytes + fileBytes, allTotalBytes);
    }
}

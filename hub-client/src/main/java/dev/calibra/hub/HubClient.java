package dev.calibra.hub;

import dev.calibra.hub.HubException.Kind;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Pulls a model repository from the Hugging Face Hub into huggingface_hub's cache, as {@code snapshot_download}
 * does: resolve the revision to a commit, list the commit's files, keep those the include globs select, and
 * put each into {@code snapshots/<commit>/} from the cache or from the network, verified. Files are pulled one
 * after another. Close it to stop its HTTP threads.
 */
public final class HubClient implements AutoCloseable {

    private static final Duration FIRST_RETRY_WAIT = Duration.ofMillis(500);

    private final HubSettings settings;
    private final ExecutorService executor;
    private final HubHttp http;
    private final Backoff backoff;

    public HubClient(HubSettings settings) {
        this(settings, FIRST_RETRY_WAIT);
    }

    HubClient(HubSettings settings, Duration firstRetryWait) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.executor = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "calibra-hub-http");
            thread.setDaemon(true);
            return thread;
        });
        this.http = new HubHttp(settings, executor);
        this.backoff = new Backoff(firstRetryWait);
    }

    /**
     * Pulls the files of {@code reference} that match at least one of {@code includeGlobs} (all files when the
     * list is empty or null). Globs follow huggingface_hub's allow_patterns: fnmatch on the whole path, so
     * {@code *} crosses '/'; a glob ending in '/' means that folder; a glob that matches nothing is an error.
     */
    public PulledRepository pull(HubReference reference, List<String> includeGlobs, DownloadListener listener)
            throws HubException {
        Objects.requireNonNull(reference, "reference");
        List<String> globs = includeGlobs == null ? List.of() : List.copyOf(includeGlobs);
        DownloadListener events = listener == null ? DownloadListener.NONE : listener;
        for (String glob : globs) {
            try {
                Globs.compile(glob);
            } catch (IllegalArgumentException e) {
                throw new HubException(Kind.INVALID_ARGUMENT, e.getMessage(), e);
            }
        }
        HubCache cache = new HubCache(settings.cacheDir(), reference.repoId());
        if (settings.offline()) {
            return new OfflineSnapshot(settings, cache, reference).open(globs, events);
        }
        HubErrors errors = new HubErrors(reference, settings);
        HubApi api = new HubApi(http, errors, backoff, settings.endpoint(), reference);
        String commit = api.resolveCommit();
        List<RepoFile> listed = new ArrayList<>(api.listFiles(commit));
        listed.sort(Comparator.comparing(RepoFile::path));
        Globs.Selection<RepoFile> selection = Globs.select(listed, RepoFile::path, globs);
        if (!selection.unmatchedGlobs().isEmpty()) {
            throw new HubException(Kind.INVALID_ARGUMENT, "--include '" + String.join("', '", selection.unmatchedGlobs())
                    + "' matches none of the " + listed.size() + " files of " + reference.uri() + " (commit " + commit + ")");
        }
        writeRef(cache, reference, commit);
        FileDownload download = new FileDownload(http, errors, backoff, reference);
        SnapshotFiller filler = new SnapshotFiller(cache, download, settings.endpoint(), reference, commit);
        ProgressTracker progress = new ProgressTracker(events, selection.selected());
        List<PulledFile> pulled = new ArrayList<>();
        for (RepoFile file : selection.selected()) {
            PulledFile one = filler.fill(file, progress);
            progress.done(file, one);
            pulled.add(one);
        }
        return new PulledRepository(reference, settings.endpoint(), commit, cache.snapshotFolder(commit), pulled);
    }

    /** Stops the HTTP client's threads; a pull in progress fails. */
    @Override
    public void close() {
        executor.shutdownNow();
    }

    /** A branch or tag's commit goes to refs/, so that offline pulls can find the snapshot by name. */
    private static void writeRef(HubCache cache, HubReference reference, String commit) throws HubException {
        if (reference.revision().equals(commit)) {
            return;
        }
        try {
            cache.writeRef(reference.revision(), commit);
        } catch (IOException e) {
            throw new HubException(Kind.UNAVAILABLE, "the hub cache could not record " + reference.uri() + " -> "
                    + commit + ": " + HubErrors.describe(e), e);
        }
    }
}

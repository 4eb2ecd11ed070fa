package dev.calibra.cli;

import dev.calibra.cli.stack.StackConfig;
import dev.calibra.hub.DownloadListener;
import dev.calibra.hub.HubClient;
import dev.calibra.hub.HubException;
import dev.calibra.hub.HubReference;
import dev.calibra.hub.HubSettings;
import dev.calibra.hub.PulledFile;
import dev.calibra.hub.PulledRepository;
import dev.calibra.model.ModelFolder;
import dev.calibra.proto.v1.ModelOrigin;
import dev.calibra.proto.v1.RegisterModelRequest;
import dev.calibra.rpc.CalibraException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Where a model path may point: a local HuggingFace-layout folder, or {@code hf://ORG/NAME[@REV]} on the
 * Hugging Face Hub (HF_ENDPOINT, HF_TOKEN), which is pulled into the hub cache first. Either way the folder
 * is validated here, where model-core runs, before the registry is asked to record it.
 */
public final class ModelSources {

    /** A model folder ready to register, with its hub origin when it was pulled. */
    public record Source(Path folder, ModelOrigin origin) {
        public boolean pulled() {
            return origin != null;
        }
    }

    private final Map<String, String> env;
    private final StackConfig stack;
    private final Output output;

    public ModelSources(Map<String, String> env, StackConfig stack, Output output) {
        this.env = env;
        this.stack = stack;
        this.output = output;
    }

    /** The hub settings: HF_ENDPOINT, HF_TOKEN, the cache (CALIBRA_HF_CACHE, HF_HUB_CACHE, HF_HOME/hub, else STATE_DIR/hub). */
    public HubSettings hubSettings() {
        return HubSettings.fromEnvironment(env, stack.stateDir().resolve("hub"));
    }

    /** A local folder as given, or an hf:// reference pulled (all files). {@code flag} names the option in errors. */
    public Source resolve(String pathOrHub, String flag) {
        if (HubReference.isHubUri(pathOrHub)) {
            return pull(parse(pathOrHub, flag), List.of());
        }
        Path folder = Path.of(pathOrHub).toAbsolutePath().normalize();
        if (!Files.isDirectory(folder)) {
            throw CalibraException.invalidArgument(flag + " " + folder + " is not a folder");
        }
        return new Source(folder, null);
    }

    public static HubReference parse(String text, String flag) {
        try {
            return HubReference.parse(text);
        } catch (IllegalArgumentException e) {
            throw CalibraException.invalidArgument(flag + ": " + e.getMessage());
        }
    }

    /** Downloads (or finds in the cache) a hub repository's files, with a progress bar on stderr. */
    public Source pull(HubReference reference, List<String> includeGlobs) {
        HubSettings settings = hubSettings();
        output.note("pulling " + reference.uri() + " from " + settings.endpoint() + " into " + settings.cacheDir());
        ProgressBar bar = new ProgressBar(output.err(), "pull");
        PulledRepository pulled;
        try (HubClient hub = new HubClient(settings)) {
            pulled = hub.pull(reference, includeGlobs, new DownloadListener() {
                @Override
                public void started(int files, long totalBytes) {
                    bar.update(0, files + " files, " + megabytes(totalBytes));
                }

                @Override
                public void progress(String path, long fileBytes, long fileTotalBytes, long allBytes, long allTotalBytes) {
                    bar.update(allTotalBytes == 0 ? 1 : (double) allBytes / allTotalBytes,
                            megabytes(allBytes) + " of " + megabytes(allTotalBytes) + "  " + path);
                }
            });
        } catch (HubException e) {
            bar.abandon();
            throw new CalibraException(kindOf(e.kind()), e.getMessage());
        }
        long downloaded = pulled.files().stream().filter(PulledFile::downloaded).count();
        long resumed = pulled.files().stream().filter(file -> file.resumedFromBytes() > 0).count();
        bar.finish(pulled.files().size() + " files at commit " + pulled.commit().substring(0, 12) + ": " + downloaded
                + " downloaded" + (resumed > 0 ? " (" + resumed + " resumed)" : "") + ", "
                + (pulled.files().size() - downloaded) + " from the cache");
        ModelOrigin origin = ModelOrigin.newBuilder().setHubEndpoint(pulled.endpoint().toString())
                .setRepoId(reference.repoId()).setRevision(reference.revision()).setCommit(pulled.commit()).build();
        return new Source(pulled.folder(), origin);
    }

    /**
     * The registration of a model folder: config, weights and tokenizer checked by model-core, and the
     * architecture, parameter count, dtype and content hash filled in. {@code flag} names the option in errors.
     */
    public static RegisterModelRequest.Builder describe(Source source, String name, String flag) {
        RegisterModelRequest.Builder request = RegisterModelRequest.newBuilder().setName(name)
                .setArtifactUri(source.folder().toString());
        if (source.pulled()) {
            request.setOrigin(source.origin());
        }
        try (ModelFolder model = ModelFolder.open(source.folder())) {
            model.openTokenizer().close();
            request.setArchitecture(model.architecture()).setParameterCount(model.parameterCount())
                    .setDtype(model.dtype()).setSha256(model.sha256());
        } catch (IOException | RuntimeException invalid) {
            throw CalibraException.invalidArgument(flag + " " + (source.pulled() ? source.origin().getRepoId() + " ("
                    + source.folder() + ")" : source.folder()) + " is not a usable model folder: " + invalid.getMessage());
        }
        return request;
    }

    private static CalibraException.Kind kindOf(HubException.Kind kind) {
        return switch (kind) {
            case UNAUTHENTICATED -> CalibraException.Kind.UNAUTHENTICATED;
            case PERMISSION_DENIED -> CalibraException.Kind.PERMISSION_DENIED;
            case NOT_FOUND -> CalibraException.Kind.NOT_FOUND;
            case INTEGRITY -> CalibraException.Kind.DATA_LOSS;
            case UNAVAILABLE -> CalibraException.Kind.UNAVAILABLE;
            case INVALID_ARGUMENT -> CalibraException.Kind.INVALID_ARGUMENT;
        };
    }

    private static String megabytes(long bytes) {
        return String.format("%.1f MB", bytes / 1e6);
    }
}

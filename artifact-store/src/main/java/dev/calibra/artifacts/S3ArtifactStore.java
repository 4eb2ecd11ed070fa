package dev.calibra.artifacts;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * An artifact store in an S3-compatible bucket, addressed by {@code s3://bucket/prefix/key} URIs, read through a local
 * cache. It keeps the local store's guarantees:
 * <ul>
 *   <li>nothing is visible until complete: a file is written locally first (hashed as it goes), then uploaded in
 *       one request or as a multipart upload that only CompleteMultipartUpload makes visible, and is aborted on any
 *       failure; a folder's files go up first and its manifest ({@link FolderManifest}) last, and only the manifest
 *       makes the folder exist; a failed folder put deletes what it uploaded;
 *   <li>content hashes are the same as a local store's ({@link ContentHash}), stored with each object (metadata
 *       {@code sha256}) and in the manifest, and checked on every download;
 *   <li>artifacts are immutable: a put under a key that holds one is refused;
 *   <li>keys and URIs outside the store's prefix are refused ({@link S3Location}).
 * </ul>
 */
public final class S3ArtifactStore implements ArtifactStore {

    /** The user metadata (header x-amz-meta-sha256) every uploaded file carries: its sha256, hex. */
    static final String SHA256_METADATA = "sha256";
    /** S3 takes at most this many parts in one upload; larger files get larger parts. */
    private static final int MAX_PARTS = 10_000;
    private static final String OCTET_STREAM = "application/octet-stream";

    private final S3Client s3;
    private final S3Location location;
    private final long partSizeBytes;
    private final ArtifactCache cache;

    /** A store on {@code s3}, which it owns and closes. */
    public S3ArtifactStore(S3Client s3, S3StoreConfig config) throws IOException {
        this.s3 = s3;
        this.location = config.location();
        this.partSizeBytes = config.partSizeBytes();
        this.cache = new ArtifactCache(config.cacheDir(), location);
    }

    /** A store with its own client, built from the configuration. */
    public static S3ArtifactStore open(S3StoreConfig config) throws IOException {
        return new S3ArtifactStore(config.newClient(), config);
    }

    public S3Location location() {
        return location;
    }

    @Override
    public StoredArtifact putFile(String key, FileWriter writer) throws IOException {
        String objectKey = location.objectKey(key);
        refuseExisting(key);
        Path temp = cache.temporary(key);
        try {
            MessageDigest digest = ContentHash.sha256();
            try (OutputStream out = new DigestOutputStream(new BufferedOutputStream(
                    Files.newOutputStream(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)), digest)) {
                writer.write(out);
            }
            String sha256 = HexFormat.of().formatHex(digest.digest());
            long size = Files.size(temp);
            upload(objectKey, temp, size, sha256, true);
            return new StoredArtifact(key, uriOf(key), cache.keep(key, temp, sha256), sha256, size);
        } finally {
            LocalArtifactStore.deleteRecursively(temp);
        }
    }

    @Override
    public StoredArtifact putFolder(String key, FolderWriter writer) throws IOException {
        location.checkKey(key);
        refuseExisting(key);
        Path temp = cache.temporary(key);
        try {
            Files.createDirectories(temp);
            writer.write(temp);
            FolderManifest manifest = FolderManifest.of(temp);
            uploadFolder(key, temp, manifest);
            return new StoredArtifact(key, uriOf(key), cache.keep(key, temp, manifest.sha256()), manifest.sha256(),
                    manifest.sizeBytes());
        } finally {
            LocalArtifactStore.deleteRecursively(temp);
        }
    }

    /**
     * The local copy of the artifact at {@code uri}, downloaded into the cache (and checked against its sha256) unless
     * the cache holds it already. Costs one or two small requests when cached: the object's metadata or the folder's
     * manifest, so that a key written again is read again.
     *
     * @throws IllegalArgumentException for a URI outside this store
     * @throws UncheckedIOException     when the download fails; for a missing artifact its cause is a
     *                                  {@link NoSuchFileException} naming the URI
     */
    @Override
    public Path resolve(URI uri) {
        String key = location.keyOf(uri);
        try {
            return fetch(key, uri);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    @Override
    public URI uriOf(String key) {
        return location.uriOf(key);
    }

    /** A file when its object exists, a folder when its manifest does. */
    @Override
    public boolean exists(String key) {
        try {
            return stored(key);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    /**
     * Deletes a file's object; for a folder, deletes the manifest first, so that the folder stops existing before any of
     * its files go, then every object under it.
     */
    @Override
    public void delete(String key) throws IOException {
        String objectKey = location.objectKey(key);
        cache.evict(key);
        if (head(objectKey).isPresent()) {
            s3("deleting", uriOf(key), () -> s3.deleteObject(b -> b.bucket(location.bucket()).key(objectKey)));
            return;
        }
        s3("deleting", uriOf(key), () -> s3.deleteObject(b -> b.bucket(location.bucket()).key(manifestKey(key))));
        List<String> objects = new ArrayList<>();
        for (ListObjectsV2Response page : s3("listing", uriOf(key),
                () -> s3.listObjectsV2Paginator(b -> b.bucket(location.bucket()).prefix(objectKey + "/")))) {
            page.contents().forEach(object -> objects.add(object.key()));
        }
        deleteObjects(objects);
    }

    /**
     * Files and folders directly under {@code folderKey}: objects there (except a manifest) and the first segment of
     * every deeper key, whether or not its folder is complete yet.
     */
    @Override
    public List<String> listKeys(String folderKey) throws IOException {
        String folder = folderKey == null ? null : withoutTrailingSlash(folderKey);
        String prefix = location.objectKey(folder) + "/";
        TreeSet<String> keys = new TreeSet<>();
        for (ListObjectsV2Response page : s3("listing", uriOf(folder),
                () -> s3.listObjectsV2Paginator(b -> b.bucket(location.bucket()).prefix(prefix).delimiter("/")))) {
            for (S3Object object : page.contents()) {
                String name = object.key().substring(prefix.length());
                if (!name.equals(FolderManifest.FILE_NAME)) {
                    keys.add(folder + "/" + name);
                }
            }
            for (CommonPrefix common : page.commonPrefixes()) {
                String name = common.prefix().substring(prefix.length()).replaceAll("/$", "");
                keys.add(folder + "/" + name);
            }
        }
        return List.copyOf(keys);
    }

    @Override
    public Usage usage(String key) throws IOException {
        String objectKey = location.objectKey(withoutTrailingSlash(key));
        long bytes = 0;
        java.time.Instant newest = java.time.Instant.EPOCH;
        Optional<HeadObjectResponse> file = head(objectKey);
        if (file.isPresent()) {
            bytes += file.get().contentLength();
            newest = file.get().lastModified();
        }
        for (ListObjectsV2Response page : s3("listing", uriOf(key),
                () -> s3.listObjectsV2Paginator(b -> b.bucket(location.bucket()).prefix(objectKey + "/")))) {
            for (S3Object object : page.contents()) {
                bytes += object.size();
                newest = object.lastModified().isAfter(newest) ? object.lastModified() : newest;
            }
        }
        return new Usage(bytes, newest);
    }

    /** Each file under {@code folderKey} through the cache (a HEAD each when cached), then the cache's folder. */
    @Override
    public Path localFolder(String folderKey) throws IOException {
        String folder = withoutTrailingSlash(folderKey);
        for (String key : listKeys(folder)) {
            fetch(key, uriOf(key));
        }
        return cache.pathOf(folder);
    }

    @Override
    public Optional<Recorded> recorded(URI uri) throws IOException {
        String key = location.keyOf(uri);
        Optional<HeadObjectResponse> object = head(location.objectKey(key));
        if (object.isPresent()) {
            return Optional.of(new Recorded(key, sha256Of(object.get(), uri), object.get().contentLength(), false, List.of()));
        }
        FolderManifest manifest = manifest(key, uri).orElseThrow(() -> absent(uri));
        return Optional.of(new Recorded(key, manifest.sha256(), manifest.sizeBytes(), true,
                manifest.entries().stream().map(FolderManifest.Entry::name).toList()));
    }

    @Override
    public void close() {
        s3.close();
    }

    // ---- writing ----

    private void refuseExisting(String key) throws IOException {
        if (stored(key)) {
            throw new FileAlreadyExistsException(uriOf(key).toString(), null,
                    "an artifact is already stored there; artifacts are immutable");
        }
    }

    /** Uploads every file, then the manifest; on failure deletes what went up (unless another writer won the key). */
    private void uploadFolder(String key, Path folder, FolderManifest manifest) throws IOException {
        List<String> uploaded = new ArrayList<>();
        try {
            for (FolderManifest.Entry entry : manifest.entries()) {
                String objectKey = location.objectKey(key + "/" + entry.name());
                uploaded.add(objectKey);
                upload(objectKey, folder.resolve(entry.name()), entry.sizeBytes(), entry.sha256(), false);
            }
            uploaded.add(manifestKey(key));
            s3("uploading the manifest of", uriOf(key), () -> s3.putObject(b -> b.bucket(location.bucket())
                    .key(manifestKey(key)).ifNoneMatch("*"), RequestBody.fromBytes(manifest.toBytes())));
        } catch (FileAlreadyExistsException raced) {
            throw raced;  // the same key was completed by another writer: its objects are not ours to delete
        } catch (IOException | RuntimeException failure) {
            try {
                deleteObjects(uploaded);
            } catch (IOException | RuntimeException cleanup) {
                failure.addSuppressed(cleanup);
            }
            throw failure;
        }
    }

    /** One object from a local file: a single PUT up to the part size, a multipart upload above it. */
    private void upload(String objectKey, Path file, long size, String sha256, boolean onlyIfAbsent) throws IOException {
        URI uri = objectUri(objectKey);
        Map<String, String> metadata = Map.of(SHA256_METADATA, sha256);
        if (size <= partSizeBytes) {
            s3("uploading", uri, () -> s3.putObject(b -> b.bucket(location.bucket()).key(objectKey).metadata(metadata)
                    .contentLength(size).ifNoneMatch(onlyIfAbsent ? "*" : null), RequestBody.fromFile(file)));
            return;
        }
        long partBytes = Math.max(partSizeBytes, (size + MAX_PARTS - 1) / MAX_PARTS);
        String uploadId = s3("starting a multipart upload of", uri, () -> s3.createMultipartUpload(b -> b
                .bucket(location.bucket()).key(objectKey).metadata(metadata)).uploadId());
        try {
            List<CompletedPart> parts = new ArrayList<>();
            for (int number = 1; (number - 1) * partBytes < size; number++) {
                int partNumber = number;
                long offset = (number - 1) * partBytes;
                long length = Math.min(partBytes, size - offset);
                String etag = s3("uploading part " + partNumber + " of", uri, () -> s3.uploadPart(b -> b
                        .bucket(location.bucket()).key(objectKey).uploadId(uploadId).partNumber(partNumber)
                        .contentLength(length), RequestBody.fromContentProvider(new FileRange(file, offset, length), length,
                        OCTET_STREAM)).eTag());
                parts.add(CompletedPart.builder().partNumber(partNumber).eTag(etag).build());
            }
            s3("completing the multipart upload of", uri, () -> s3.completeMultipartUpload(b -> b
                    .bucket(location.bucket()).key(objectKey).uploadId(uploadId).multipartUpload(m -> m.parts(parts))
                    .ifNoneMatch(onlyIfAbsent ? "*" : null)));
        } catch (IOException | RuntimeException failure) {
            try {
                s3("aborting the multipart upload of", uri, () -> s3.abortMultipartUpload(b -> b
                        .bucket(location.bucket()).key(objectKey).uploadId(uploadId)));
            } catch (IOException | RuntimeException cleanup) {
                failure.addSuppressed(cleanup);
            }
            throw failure;
        }
    }

    /**
     * One DeleteObject per object: the batch DeleteObjects needs a checksum header (CRC32 from this SDK on) that
     * S3-compatible servers such as S3Proxy refuse.
     */
    private void deleteObjects(List<String> objectKeys) throws IOException {
        for (String objectKey : objectKeys) {
            s3("deleting", objectUri(objectKey), () -> s3.deleteObject(b -> b.bucket(location.bucket()).key(objectKey)));
        }
    }

    // ---- reading ----

    private Path fetch(String key, URI uri) throws IOException {
        String objectKey = location.objectKey(key);
        Optional<HeadObjectResponse> object = head(objectKey);
        if (object.isPresent()) {
            String sha256 = sha256Of(object.get(), uri);
            long size = object.get().contentLength();
            return cache.get(key, sha256, temp -> download(objectKey, temp, size, sha256, null));
        }
        FolderManifest manifest = manifest(key, uri).orElseThrow(() -> absent(uri));
        return cache.get(key, manifest.sha256(), temp -> downloadFolder(key, temp, manifest, uri));
    }

    private static String sha256Of(HeadObjectResponse object, URI uri) throws IOException {
        String sha256 = object.metadata().get(SHA256_METADATA);
        if (sha256 == null) {
            throw new IOException("object " + uri + " has no sha256 metadata, so a download of it cannot be"
                    + " verified; store it through Calibra's artifact store");
        }
        return sha256;
    }

    private static NoSuchFileException absent(URI uri) {
        return new NoSuchFileException(uri.toString(), null,
                "no artifact is stored there (neither an object nor a complete folder)");
    }

    private Optional<FolderManifest> manifest(String key, URI uri) throws IOException {
        try {
            byte[] bytes = s3("reading the manifest of", uri, () -> s3.getObjectAsBytes(b -> b
                    .bucket(location.bucket()).key(manifestKey(key))).asByteArray());
            return Optional.of(FolderManifest.parse(bytes, objectUri(manifestKey(key))));
        } catch (NoSuchFileException absent) {
            return Optional.empty();
        }
    }

    /** Every file of the manifest, each checked against its sha256, and the whole against the folder's. */
    private void downloadFolder(String key, Path temp, FolderManifest manifest, URI uri) throws IOException {
        Files.createDirectories(temp);
        MessageDigest folderDigest = ContentHash.sha256();
        for (FolderManifest.Entry entry : manifest.entries()) {
            Path file = temp.resolve(entry.name()).normalize();
            if (!file.startsWith(temp)) {
                throw new IOException("folder manifest of " + uri + " names '" + entry.name() + "', outside the folder");
            }
            Files.createDirectories(file.getParent());
            folderDigest.update(ContentHash.folderEntryHeader(entry.name(), entry.sizeBytes()));
            download(location.objectKey(key + "/" + entry.name()), file, entry.sizeBytes(), entry.sha256(), folderDigest);
        }
        String actual = HexFormat.of().formatHex(folderDigest.digest());
        if (!actual.equals(manifest.sha256())) {
            throw new IOException("folder " + uri + " hashes to " + actual + ", its manifest says " + manifest.sha256());
        }
    }

    /** One object into {@code file}, checked against its size and sha256; also feeds {@code alsoDigest} if given. */
    private void download(String objectKey, Path file, long size, String sha256, MessageDigest alsoDigest)
            throws IOException {
        URI uri = objectUri(objectKey);
        MessageDigest digest = ContentHash.sha256();
        long copied = s3("downloading", uri, () -> {
            try (ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> b.bucket(location.bucket()).key(objectKey));
                    OutputStream fileOut = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                    OutputStream hashed = new DigestOutputStream(fileOut, digest);
                    OutputStream out = alsoDigest == null ? hashed : new DigestOutputStream(hashed, alsoDigest)) {
                return in.transferTo(out);
            } catch (NoSuchFileException absent) {
                throw absent;
            } catch (IOException cut) {
                throw new IOException("downloading " + uri + " was cut: " + cut.getMessage(), cut);
            }
        });
        String actual = HexFormat.of().formatHex(digest.digest());
        if (copied != size || !actual.equals(sha256)) {
            throw new IOException("downloading " + uri + " gave " + copied + " bytes hashing to " + actual
                    + "; the store recorded " + size + " bytes hashing to " + sha256);
        }
    }

    // ---- S3 calls ----

    private boolean stored(String key) throws IOException {
        return head(location.objectKey(key)).isPresent() || head(manifestKey(key)).isPresent();
    }

    private Optional<HeadObjectResponse> head(String objectKey) throws IOException {
        try {
            return Optional.of(s3("looking up", objectUri(objectKey),
                    () -> s3.headObject(b -> b.bucket(location.bucket()).key(objectKey))));
        } catch (NoSuchFileException absent) {
            return Optional.empty();
        }
    }

    /** A folder key as given ("teams/nlp/models/") names the same folder as without its trailing '/'. */
    private static String withoutTrailingSlash(String key) {
        return key.replaceAll("/+$", "");
    }

    private String manifestKey(String key) {
        return location.objectKey(key) + "/" + FolderManifest.FILE_NAME;
    }

    private URI objectUri(String objectKey) {
        return location.objectUri(objectKey);
    }

    @FunctionalInterface
    private interface S3Call<T> {
        T call() throws IOException;
    }

    /**
     * Runs one S3 call, turning the SDK's exceptions into IOExceptions that name what was done to which URI: 404 into
     * NoSuchFileException, 412 (a conditional put that found the key taken) into FileAlreadyExistsException.
     */
    private static <T> T s3(String doing, URI uri, S3Call<T> call) throws IOException {
        try {
            return call.call();
        } catch (S3Exception e) {
            String reason = e.awsErrorDetails() != null && e.awsErrorDetails().errorMessage() != null
                    ? e.awsErrorDetails().errorMessage() : e.getMessage();
            if (e.statusCode() == 404) {
                throw new NoSuchFileException(uri.toString(), null, "not found in the store (" + reason + ")");
            }
            if (e.statusCode() == 412) {
                throw new FileAlreadyExistsException(uri.toString(), null,
                        "an artifact was stored there meanwhile; artifacts are immutable");
            }
            throw new IOException(doing + " " + uri + " failed: " + reason + " (HTTP " + e.statusCode() + ")", e);
        } catch (SdkException e) {
            throw new IOException(doing + " " + uri + " failed: " + e.getMessage(), e);
        }
    }
}

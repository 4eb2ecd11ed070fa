package dev.calibra.calibration.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.util.JsonFormat;
import dev.calibra.artifacts.ArtifactStore;
import dev.calibra.artifacts.S3Location;
import dev.calibra.runtime.artifacts.ArtifactReads;
import java.net.URI;
import dev.calibra.artifacts.ContentHash;
import dev.calibra.artifacts.StoreLayout;
import dev.calibra.artifacts.StoredArtifact;
import dev.calibra.calibration.sampling.Sample;
import dev.calibra.model.safetensors.SafetensorsFile;
import dev.calibra.model.safetensors.SafetensorsWriter;
import dev.calibra.proto.v1.CalibrationSpec;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A calibration set on disk: a folder {@code teams/<team>/calibration/<fingerprint[:16]>/<spec sha256[:16]>/} holding
 * {@code set.safetensors} (input_ids int32 [n_samples, seq_len]) and {@code set.json} (spec, sampler
 * version, tokenizer sha256, statistics, per-sample provenance). Both appear together or not at all.
 */
public final class CalibrationArtifacts {

    public static final String SAFETENSORS = "set.safetensors";
    public static final String SIDECAR = "set.json";
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final JsonFormat.Printer PROTO = JsonFormat.printer().preservingProtoFieldNames();

    /** Where the set went and whether this call wrote it (false: the same set was already stored). */
    public record Stored(String key, URI uri, Path safetensors, String sha256, boolean written) {}

    private final ArtifactStore store;

    public CalibrationArtifacts(ArtifactStore store) {
        this.store = store;
    }

    /** The store, also used for the token cache. */
    public ArtifactStore store() {
        return store;
    }

    /** In the team's own folder: another team drawing the same set writes (and may delete) its own copy. */
    public static String keyOf(String team, String fingerprint, CalibrationSpec spec) throws IOException {
        String specHash = ContentHash.ofBytes(PROTO.print(spec).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return StoreLayout.calibration(team, fingerprint.substring(0, 16) + "/" + specHash.substring(0, 16));
    }

    public Stored write(String team, DrawnSet set, CalibrationSpec spec, String tokenizerSha256) throws IOException {
        String key = keyOf(team, set.fingerprint(), spec);
        boolean written = false;
        if (!store.exists(key)) {
            try {
                store.putFolder(key, folder -> writeFolder(folder, set, spec, tokenizerSha256));
                written = true;
            } catch (FileAlreadyExistsException raced) {
                // another call stored the same set meanwhile: same spec, same tokens
            }
        }
        Path safetensors = store.resolve(store.uriOf(key)).resolve(SAFETENSORS);
        return new Stored(key, store.uriOf(key + "/" + SAFETENSORS), safetensors, ContentHash.ofFile(safetensors), written);
    }

    /**
     * A registered set's safetensors file, local. A set in the object store is fetched as its folder, so that the
     * sidecar beside it ({@link #readSidecar}) comes too.
     */
    public Path localSet(String artifactUri, String what) {
        String file = "/" + SAFETENSORS;
        if (S3Location.isUri(artifactUri) && artifactUri.endsWith(file)) {
            String folder = artifactUri.substring(0, artifactUri.length() - file.length());
            return ArtifactReads.localPath(store, folder, what).resolve(SAFETENSORS);
        }
        return ArtifactReads.localPath(store, artifactUri, what);
    }

    public void delete(String key) throws IOException {
        store.delete(key);
    }

    private static void writeFolder(Path folder, DrawnSet set, CalibrationSpec spec, String tokenizerSha256)
            throws IOException {
        List<Sample> rows = set.rows();
        int seqLen = spec.getSeqLen();
        int[] flat = new int[rows.size() * seqLen];
        for (int i = 0; i < rows.size(); i++) {
            System.arraycopy(rows.get(i).tokens(), 0, flat, i * seqLen, seqLen);
        }
        new SafetensorsWriter()
                .metadata("format", "calibra-calibration-set-v1")
                .metadata("fingerprint", set.fingerprint())
                .metadata("sampler_version", set.samplerVersion())
                .metadata("tokenizer_sha256", tokenizerSha256)
                .addI32("input_ids", new long[] {rows.size(), seqLen}, flat)
                .write(folder.resolve(SAFETENSORS));
        JSON.writeValue(folder.resolve(SIDECAR).toFile(), sidecar(set, spec, tokenizerSha256));
    }

    static ObjectNode sidecar(DrawnSet set, CalibrationSpec spec, String tokenizerSha256) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", "calibra-calibration-set-v1");
        root.put("fingerprint", set.fingerprint());
        root.put("sampler_version", set.samplerVersion());
        root.put("tokenizer_sha256", tokenizerSha256);
        root.set("spec", JSON.readTree(PROTO.print(spec)));
        root.set("statistics", JSON.readTree(PROTO.print(set.statistics())));
        ArrayNode sources = root.putArray("contamination_sources");
        set.contaminationSources().forEach(sources::add);
        ArrayNode samples = root.putArray("samples");
        for (int i = 0; i < set.rows().size(); i++) {
            Sample row = set.rows().get(i);
            samples.addObject().put("index", i).put("corpus_id", row.corpusId()).put("document_index", row.documentIndex())
                    .put("token_offset", row.tokenOffset()).put("perplexity", set.perplexities()[i])
                    .put("anomaly", set.anomalies()[i]);
        }
        return root;
    }

    /** The rows of a stored set, [n_samples][seq_len]. */
    public static int[][] readRows(Path safetensors) throws IOException {
        try (SafetensorsFile file = SafetensorsFile.open(safetensors)) {
            long[] shape = file.info("input_ids").shape();
            IntBuffer ids = file.rawBytes("input_ids").order(ByteOrder.LITTLE_ENDIAN).asIntBuffer();
            int[][] rows = new int[(int) shape[0]][(int) shape[1]];
            for (int[] row : rows) {
                ids.get(row);
            }
            return rows;
        }
    }

    /** The sidecar beside a stored set's safetensors file. */
    public static JsonNode readSidecar(Path safetensors) throws IOException {
        Path sidecar = safetensors.resolveSibling(SIDECAR);
        return Files.isRegularFile(sidecar) ? JSON.readTree(sidecar.toFile()) : JSON.createObjectNode();
    }
}

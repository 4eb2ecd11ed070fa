package dev.calibra.artifacts;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What makes a folder in an S3 store complete: the object {@code <key>/.calibra-complete.tsv}, written after every
 * file and deleted before any, listing each file's relative name, size and sha256 with the folder's sha256 (the
 * same {@link ContentHash#ofFolder} a local store records). Tab-separated UTF-8 text, one line per file in hash
 * order:
 * <pre>
 * calibra-folder-manifest  1  &lt;folder sha256&gt;  &lt;total bytes&gt;  &lt;file count&gt;
 * &lt;file sha256&gt;  &lt;bytes&gt;  &lt;relative name&gt;
 * </pre>
 */
record FolderManifest(String sha256, List<Entry> entries) {

    static final String FILE_NAME = ".calibra-complete.tsv";
    private static final String HEADER = "calibra-folder-manifest\t1";
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final int BUFFER_BYTES = 1 << 20;

    /** One file of the folder: its name relative to the folder ('/'-separated), size and sha256. */
    record Entry(String name, long sizeBytes, String sha256) {}

    FolderManifest {
        entries = entries.stream().sorted(Comparator.comparing(Entry::name)).toList();
    }

    long sizeBytes() {
        return entries.stream().mapToLong(Entry::sizeBytes).sum();
    }

    /**
     * Hashes a local folder, reading each file once to feed both its own sha256 and the folder's. Refuses names a
     * manifest line cannot hold (tabs, line breaks) and a top-level file named like the manifest.
     */
    static FolderManifest of(Path folder) throws IOException {
        MessageDigest folderDigest = ContentHash.sha256();
        List<Entry> entries = new ArrayList<>();
        byte[] buffer = new byte[BUFFER_BYTES];
        for (Path file : ContentHash.filesOf(folder)) {
            String name = ContentHash.relativeName(folder, file);
            if (name.chars().anyMatch(c -> c == '\t' || c == '\n' || c == '\r') || name.equals(FILE_NAME)) {
                throw new IOException("file '" + name + "' in folder " + folder + " cannot be stored in an S3 artifact"
                        + " store: its name has a tab or line break, or is the folder manifest's");
            }
            long size = Files.size(file);
            folderDigest.update(ContentHash.folderEntryHeader(name, size));
            MessageDigest fileDigest = ContentHash.sha256();
            try (InputStream in = Files.newInputStream(file)) {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    fileDigest.update(buffer, 0, n);
                    folderDigest.update(buffer, 0, n);
                }
            }
            entries.add(new Entry(name, size, HexFormat.of().formatHex(fileDigest.digest())));
        }
        return new FolderManifest(HexFormat.of().formatHex(folderDigest.digest()), entries);
    }

    byte[] toBytes() {
        StringBuilder text = new StringBuilder(HEADER).append('\t').append(sha256).append('\t').append(sizeBytes())
                .append('\t').append(entries.size()).append('\n');
        for (Entry entry : entries) {
            text.append(entry.sha256()).append('\t').append(entry.sizeBytes()).append('\t').append(entry.name()).append('\n');
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Reads a manifest, refusing a malformed one and any name that would leave the folder. */
    static FolderManifest parse(byte[] bytes, URI where) throws IOException {
        String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n", -1);
        String[] header = lines[0].split("\t", -1);
        if (header.length != 5 || !lines[0].startsWith(HEADER + "\t") || !SHA256.matcher(header[2]).matches()
                || !lines[lines.length - 1].isEmpty()) {
            throw malformed(where, "its header is not '" + HEADER.replace('\t', ' ') + " <sha256> <bytes> <count>'");
        }
        List<Entry> entries = new ArrayList<>();
        for (int i = 1; i < lines.length - 1; i++) {
            String[] fields = lines[i].split("\t", 3);
            if (fields.length != 3 || !SHA256.matcher(fields[0]).matches() || !fields[1].matches("[0-9]{1,18}")
                    || !S3Location.plainSegments(fields[2]) || fields[2].equals(FILE_NAME)) {
                throw malformed(where, "line " + (i + 1) + " is not '<sha256> <bytes> <relative name>'");
            }
            entries.add(new Entry(fields[2], Long.parseLong(fields[1]), fields[0]));
        }
        FolderManifest manifest = new FolderManifest(header[2], entries);
        if (!header[3].equals(Long.toString(manifest.sizeBytes())) || !header[4].equals(Integer.toString(entries.size()))) {
            throw malformed(where, "its totals do not match its lines");
        }
        return manifest;
    }

    private static IOException malformed(URI where, String why) {
        return new IOException("folder manifest " + where + " is malformed: " + why);
    }
}

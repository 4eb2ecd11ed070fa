package dev.calibra.model.safetensors;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.calibra.model.ModelFormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A checkpoint folder's tensors, looked up by name across shards: {@code model.safetensors.index.json}
 * (its {@code weight_map} names each tensor's shard), else a single {@code *.safetensors} file.
 */
public final class SafetensorsCheckpoint implements TensorSource {

    public static final String INDEX_FILE = "model.safetensors.index.json";

    private final List<SafetensorsFile> shards;
    private final Map<String, SafetensorsFile> byName;

    private SafetensorsCheckpoint(List<SafetensorsFile> shards, Map<String, SafetensorsFile> byName) {
        this.shards = List.copyOf(shards);
        this.byName = Collections.unmodifiableMap(byName);
    }

    /** Opens a folder (index or single file) or one safetensors file. */
    public static SafetensorsCheckpoint open(Path folderOrFile) throws IOException {
        if (!Files.isDirectory(folderOrFile)) {
            return fromShards(List.of(SafetensorsFile.open(folderOrFile)), null);
        }
        Path index = folderOrFile.resolve(INDEX_FILE);
        if (Files.exists(index)) {
            return fromIndex(folderOrFile, index);
        }
        List<Path> files;
        try (Stream<Path> listing = Files.list(folderOrFile)) {
            files = listing.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
        }
        if (files.isEmpty()) {
            throw new ModelFormatException(folderOrFile + ": no *.safetensors file and no " + INDEX_FILE);
        }
        if (files.size() > 1) {
            throw new ModelFormatException(folderOrFile + ": " + files.size() + " *.safetensors files but no "
                    + INDEX_FILE + " to say which tensor lives where");
        }
        return fromShards(List.of(SafetensorsFile.open(files.get(0))), null);
    }

    private static SafetensorsCheckpoint fromIndex(Path folder, Path index) throws IOException {
        JsonNode weightMap;
        try {
            weightMap = new ObjectMapper().readTree(index.toFile()).path("weight_map");
        } catch (IOException e) {
            throw new ModelFormatException(INDEX_FILE + " is not valid JSON: " + e.getMessage(), e);
        }
        if (!weightMap.isObject() || weightMap.isEmpty()) {
            throw new ModelFormatException(INDEX_FILE + " has no weight_map object");
        }
        Map<String, String> tensorToShard = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = weightMap.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            tensorToShard.put(field.getKey(), field.getValue().asText());
        }
        Map<String, SafetensorsFile> shardFiles = new TreeMap<>();
        List<SafetensorsFile> opened = new ArrayList<>();
        try {
            for (String shardName : new java.util.TreeSet<>(tensorToShard.values())) {
                Path shard = folder.resolve(shardName).normalize();
                if (!shard.startsWith(folder.normalize()) || !Files.isRegularFile(shard)) {
                    throw new ModelFormatException(INDEX_FILE + " names shard '" + shardName + "', which is missing");
                }
                SafetensorsFile file = SafetensorsFile.open(shard);
                opened.add(file);
                shardFiles.put(shardName, file);
            }
            return fromShards(opened, tensorToShard.entrySet().stream()
                    .collect(LinkedHashMap::new, (m, e) -> m.put(e.getKey(), shardFiles.get(e.getValue())), Map::putAll));
        } catch (IOException | RuntimeException e) {
            for (SafetensorsFile file : opened) {
                file.close();
            }
            throw e;
        }
    }

    private static SafetensorsCheckpoint fromShards(List<SafetensorsFile> shards, Map<String, SafetensorsFile> index)
            throws ModelFormatException {
        Map<String, SafetensorsFile> byName = new LinkedHashMap<>();
        for (SafetensorsFile shard : shards) {
            for (String name : shard.tensorNames()) {
                if (byName.putIfAbsent(name, shard) != null) {
                    throw new ModelFormatException("tensor '" + name + "' appears in two shards: "
                            + byName.get(name).path().getFileName() + " and " + shard.path().getFileName());
                }
            }
        }
        if (index != null) {
            for (Map.Entry<String, SafetensorsFile> entry : index.entrySet()) {
                if (!entry.getValue().tensorNames().contains(entry.getKey())) {
                    throw new ModelFormatException(INDEX_FILE + " puts tensor '" + entry.getKey() + "' in "
                            + entry.getValue().path().getFileName() + ", which does not contain it");
                }
            }
        }
        return new SafetensorsCheckpoint(shards, byName);
    }

    public List<SafetensorsFile> shards() {
        return shards;
    }

    @Override
    public Set<String> tensorNames() {
        return byName.keySet();
    }

    @Override
    public TensorInfo info(String name) {
        return shardOf(name).info(name);
    }

    @Override
    public ByteBuffer rawBytes(String name) throws IOException {
        return shardOf(name).rawBytes(name);
    }

    @Override
    public float[] readFloats(String name) throws IOException {
        return shardOf(name).readFloats(name);
    }

    @Override
    public NDArray load(String name, NDManager manager) throws IOException {
        return shardOf(name).load(name, manager);
    }

    private SafetensorsFile shardOf(String name) {
        SafetensorsFile shard = byName.get(name);
        if (shard == null) {
            throw new IllegalArgumentException("checkpoint has no tensor '" + name + "'");
        }
        return shard;
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (SafetensorsFile shard : shards) {
            try {
                shard.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }
}

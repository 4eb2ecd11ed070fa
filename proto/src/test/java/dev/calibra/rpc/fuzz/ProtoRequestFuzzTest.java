package dev.calibra.rpc.fuzz;

// Feeds every calibra.v1 *Request message type (found on the classpath, so new RPCs are covered without
// a list to keep) random valid messages (every field set from boundary values, nested messages, maps,
// oneofs), their wire bytes mutated, and random bytes; then JSON texts through JsonFormat's parser as the
// registry configures it. Asserts: parseFrom returns a message that survives a second round trip and
// prints as JSON (or is refused for a Timestamp that JSON cannot write), or throws
// InvalidProtocolBufferException; valid messages round-trip exactly through bytes and JSON. Also feeds
// the hand-written request helpers in dev.calibra.rpc (page tokens and sizes, the authorization header,
// GrpcErrors): a value, or the documented CalibraException; never a stack trace in a status description.

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.calibra.model.fuzz.Fuzzer;
import dev.calibra.model.fuzz.Mutator;
import dev.calibra.proto.v1.EvaluateRequest;
import dev.calibra.rpc.CalibraException;
import dev.calibra.rpc.GrpcErrors;
import dev.calibra.rpc.PageToken;
import dev.calibra.rpc.auth.ApiKeys;
import io.grpc.Metadata;
import io.grpc.Status;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ProtoRequestFuzzTest {

    private static final JsonFormat.Printer PRINTER = JsonFormat.printer();
    private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();
    private static final int[] INTS = {0, 1, -1, 2, 7, 255, 1 << 20, Integer.MAX_VALUE, Integer.MIN_VALUE};
    private static final long[] LONGS = {0, 1, -1, 1L << 32, 1L << 53, Long.MAX_VALUE, Long.MIN_VALUE};
    // no -0.0: JsonFormat's parser reads it through BigDecimal, which has no negative zero, and returns 0.0
    private static final double[] DOUBLES = {0, 1, -1, 0.5, 1e300, Double.MIN_VALUE, Double.NaN,
            Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
    private static final String[] STRINGS = {"", " ", "a", "model-1", "copa", "random_window", "/tmp/x.txt",
            "file:/tmp/x", "\u00e9\u65e5\ud83d\ude42", "\u0000", "x".repeat(5000), "{\"a\":1}", "../../etc/passwd"};

    private static List<Message> requests;

    @BeforeAll
    static void findRequestTypes() throws Exception {
        requests = requestTypes();
        if (requests.size() < 20) {
            throw new IllegalStateException("found only " + requests.size() + " calibra.v1 request types: " + requests);
        }
    }

    @Test
    void parseFrom_mutatedAndRandomBytes_messageOrInvalidProtocolBuffer() throws IOException {
        List<byte[]> seeds = new ArrayList<>();
        SplittableRandom seedRandom = new SplittableRandom(1);
        for (Message type : requests) {
            seeds.add(randomMessage(type.newBuilderForType(), seedRandom, 0).toByteArray());
        }
        Mutator bytes = new Mutator(seeds, List.of(), 64 << 10);
        Fuzzer.Report report = new Fuzzer("proto-binary", Fuzzer.Settings.fromSystemProperties(2000)).run(
                random -> {
                    int type = random.nextInt(requests.size());
                    byte[] body = switch (random.nextInt(5)) {
                        case 0 -> randomMessage(requests.get(type).newBuilderForType(), random, 0).toByteArray();
                        case 1 -> {
                            byte[] noise = new byte[random.nextInt(256)];
                            random.nextBytes(noise);
                            yield noise;
                        }
                        default -> bytes.mutate(randomMessage(requests.get(type).newBuilderForType(), random, 0)
                                .toByteArray(), random);
                    };
                    return withType(type, body);
                },
                input -> {
                    Message type = requests.get(input[0] & 0xFF);
                    Message parsed = type.getParserForType().parseFrom(Arrays.copyOfRange(input, 1, input.length));
                    Message again = type.getParserForType().parseFrom(parsed.toByteArray());
                    if (!again.equals(parsed)) {
                        throw new AssertionError(type.getDescriptorForType().getName() + " changed on a second round trip");
                    }
                    try {
                        PRINTER.print(parsed);
                    } catch (IllegalArgumentException e) {
                        // the wire carries any Timestamp; JSON can only write years 1 to 9999 and says so
                        if (!String.valueOf(e.getMessage()).startsWith("Timestamp is not valid")) {
                            throw e;
                        }
                    }
                    parsed.toString();
                },
                error -> error instanceof InvalidProtocolBufferException);
        report.assertNoFailures();
    }

    @Test
    void jsonParser_mutatedJson_messageOrInvalidProtocolBuffer() throws IOException {
        List<byte[]> seeds = new ArrayList<>();
        SplittableRandom seedRandom = new SplittableRandom(2);
        for (Message type : requests) {
            seeds.add(PRINTER.print(randomMessage(type.newBuilderForType(), seedRandom, 0)).getBytes(StandardCharsets.UTF_8));
        }
        Mutator text = new Mutator(seeds, List.of("\"", "{", "}", "[", "]", ":", ",", "null", "true", "\"NaN\"",
                "\"Infinity\"", "1e999", "\"1970-01-01T00:00:00Z\"", "\"10000-01-01T00:00:00Z\"", "\"@type\""), 64 << 10);
        Fuzzer.Report report = new Fuzzer("proto-json", Fuzzer.Settings.fromSystemProperties(2000)).run(
                random -> {
                    int type = random.nextInt(requests.size());
                    Message message = randomMessage(requests.get(type).newBuilderForType(), random, 0);
                    String json = PRINTER.print(message);
                    if (random.nextInt(4) == 0) {
                        // an exact round trip of a valid message, the contract the mutations start from
                        Message.Builder back = requests.get(type).newBuilderForType();
                        PARSER.merge(json, back);
                        if (!back.build().equals(message)) {
                            throw new AssertionError(message.getDescriptorForType().getName() + " changed through JSON: "
                                    + json.substring(0, Math.min(json.length(), 2000)));
                        }
                    }
                    return withType(type, text.mutate(json.getBytes(StandardCharsets.UTF_8), random));
                },
                input -> {
                    Message.Builder builder = requests.get(input[0] & 0xFF).newBuilderForType();
                    PARSER.merge(new String(input, 1, input.length - 1, StandardCharsets.UTF_8), builder);
                    builder.build().toByteArray();
                },
                error -> error instanceof InvalidProtocolBufferException);
        report.assertNoFailures();
    }

    @Test
    void requestHelpers_randomValues_valueOrInvalidArgument() throws IOException {
        Mutator text = new Mutator(List.of(PageToken.encode("model-00000042").getBytes(StandardCharsets.UTF_8),
                "Bearer cal_abc".getBytes(StandardCharsets.UTF_8)), List.of("Bearer ", "bearer ", "=", "-", "_", " "), 4096);
        Fuzzer.Report report = new Fuzzer("rpc-helpers", Fuzzer.Settings.fromSystemProperties(2000)).run(
                random -> text.next(random),
                input -> {
                    String value = new String(input, StandardCharsets.UTF_8);
                    // mostly inside 0..MAX_PAGE_SIZE, sometimes just outside it
                    int size = input.length * 37 % (PageToken.MAX_PAGE_SIZE + 100) - 50;
                    Metadata headers = new Metadata();
                    headers.put(ApiKeys.AUTHORIZATION, value);
                    ApiKeys.bearer(headers).ifPresent(secret -> {
                        if (secret.isBlank()) {
                            throw new AssertionError("a blank bearer secret was accepted");
                        }
                    });
                    String description = GrpcErrors.toStatus(new IllegalArgumentException(value)).getStatus().getDescription();
                    if (description != null && description.contains("\tat ")) {
                        throw new AssertionError("a stack trace in a status description: " + description);
                    }
                    PageToken.decode(value);
                    int pageSize = PageToken.pageSize(size);
                    if (pageSize < 1 || pageSize > PageToken.MAX_PAGE_SIZE) {
                        throw new AssertionError("page size " + pageSize + " for " + size);
                    }
                },
                error -> error instanceof CalibraException calibra && calibra.kind() == CalibraException.Kind.INVALID_ARGUMENT
                        && GrpcErrors.toStatus(error).getStatus().getCode() == Status.Code.INVALID_ARGUMENT);
        report.assertNoFailures();
    }

    /** A message with each field set (or left unset) from boundary values, nested three levels deep at most. */
    static Message randomMessage(Message.Builder builder, SplittableRandom random, int depth) {
        for (FieldDescriptor field : builder.getDescriptorForType().getFields()) {
            if (random.nextInt(3) == 0) {
                continue;
            }
            if (field.isMapField()) {
                for (int i = random.nextInt(3); i > 0; i--) {
                    Message.Builder entry = builder.newBuilderForField(field);
                    for (FieldDescriptor part : entry.getDescriptorForType().getFields()) {
                        entry.setField(part, value(entry, part, random, depth));
                    }
                    builder.addRepeatedField(field, entry.build());
                }
            } else if (field.isRepeated()) {
                for (int i = random.nextInt(4); i > 0; i--) {
                    builder.addRepeatedField(field, value(builder, field, random, depth));
                }
            } else {
                builder.setField(field, value(builder, field, random, depth));
            }
        }
        return builder.build();
    }

    private static Object value(Message.Builder parent, FieldDescriptor field, SplittableRandom random, int depth) {
        return switch (field.getJavaType()) {
            case INT -> INTS[random.nextInt(INTS.length)];
            case LONG -> LONGS[random.nextInt(LONGS.length)];
            case FLOAT -> (float) DOUBLES[random.nextInt(DOUBLES.length)];
            case DOUBLE -> DOUBLES[random.nextInt(DOUBLES.length)];
            case BOOLEAN -> random.nextBoolean();
            case STRING -> STRINGS[random.nextInt(STRINGS.length)];
            case BYTE_STRING -> ByteString.copyFrom(STRINGS[random.nextInt(STRINGS.length)], StandardCharsets.UTF_8);
            case ENUM -> field.getEnumType().getValues().get(random.nextInt(field.getEnumType().getValues().size()));
            case MESSAGE -> {
                Message.Builder child = parent.newBuilderForField(field);
                if (field.getMessageType().getFullName().equals("google.protobuf.Timestamp")) {
                    // JsonFormat prints only the timestamps RFC 3339 can write (years 1 to 9999)
                    yield child.setField(child.getDescriptorForType().findFieldByName("seconds"),
                            random.nextLong(-62_135_596_800L, 253_402_300_799L)).build();
                }
                yield depth >= 3 ? child.build() : randomMessage(child, random, depth + 1);
            }
        };
    }

    private static byte[] withType(int type, byte[] body) {
        byte[] input = new byte[body.length + 1];
        input[0] = (byte) type;
        System.arraycopy(body, 0, input, 1, body.length);
        return input;
    }

    /** The default instance of every class named *Request in the generated package, in name order. */
    private static List<Message> requestTypes() throws IOException, URISyntaxException, ReflectiveOperationException {
        Path location = Path.of(EvaluateRequest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        String folder = EvaluateRequest.class.getPackageName().replace('.', '/');
        List<String> names;
        if (Files.isDirectory(location)) {
            names = list(location.resolve(folder));
        } else {
            try (FileSystem jar = FileSystems.newFileSystem(location, Map.of())) {
                names = list(jar.getPath(folder));
            }
        }
        List<Message> types = new ArrayList<>();
        for (String name : names) {
            Class<?> type = Class.forName(EvaluateRequest.class.getPackageName() + "." + name);
            if (Message.class.isAssignableFrom(type)) {
                types.add((Message) type.getMethod("getDefaultInstance").invoke(null));
            }
        }
        if (types.size() > 255) {
            throw new IllegalStateException("one byte names the request type; there are " + types.size());
        }
        return types;
    }

    private static List<String> list(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(file -> file.getFileName().toString())
                    .filter(name -> name.endsWith("Request.class") && !name.contains("$"))
                    .map(name -> name.substring(0, name.length() - ".class".length())).sorted().toList();
        }
    }
}

package dev.calibra.model.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Byte-level mutations of seed inputs, in the manner of AFL: bit flips, boundary bytes and integers
 * (as huge little-endian length fields), deletions, insertions, repeated chunks, truncation, splices
 * of two seeds, dictionary tokens of the format, invalid UTF-8, deep nesting and enormous numbers.
 */
public final class Mutator {

    private static final byte[] BOUNDARY_BYTES = {0, 1, 0x7F, (byte) 0x80, (byte) 0xFF, '\n', '\r', '\t', ' ', '"',
            '\\', '{', '}', '[', ']', ',', ':', '0', '9', '-', '.'};
    private static final long[] BOUNDARY_LONGS = {0, 1, -1, 2, 7, 8, 255, 256, 65535, Integer.MAX_VALUE,
            Integer.MIN_VALUE, 1L << 31, 1L << 32, (1L << 32) - 1, 100L << 20, (100L << 20) + 1, 1L << 40,
            Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE - 7};
    private static final String[] INVALID_UTF8 = {"\u00c0\u0080", "\u00ed\u00a0\u0080", "\u00f8\u0088\u0080\u0080\u0080",
            "\u0080", "\u00ff", "\u00e2\u0082", "\u00f0\u009f\u0098", "\u00c3"};
    private static final String[] NUMBERS = {"-1", "0", "-0", "1e400", "-1e400", "1.5", "NaN", "Infinity",
            "9223372036854775807", "9223372036854775808", "18446744073709551615", "99999999999999999999999999",
            "2147483648", "4294967296", "0x10", "1e-400", "00012"};

    private final List<byte[]> seeds;
    private final List<byte[]> dictionary;
    private final int maxBytes;

    /**
     * @param seeds      valid inputs to start from
     * @param dictionary tokens of the format (field names, type names) inserted and overwritten whole
     * @param maxBytes   inputs are cut to this size, to keep each try fast
     */
    public Mutator(List<byte[]> seeds, List<String> dictionary, int maxBytes) {
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException("a mutator needs at least one seed");
        }
        this.seeds = List.copyOf(seeds);
        this.dictionary = dictionary.stream().map(token -> token.getBytes(StandardCharsets.UTF_8)).toList();
        this.maxBytes = maxBytes;
    }

    /** A seed with a few mutations (usually 1-3, sometimes up to 16). */
    public byte[] next(SplittableRandom random) {
        return mutate(seeds.get(random.nextInt(seeds.size())), random);
    }

    public byte[] mutate(byte[] seed, SplittableRandom random) {
        byte[] out = seed;
        int count = random.nextInt(4) == 0 ? 1 + random.nextInt(16) : 1 + random.nextInt(3);
        for (int m = 0; m < count; m++) {
            out = mutateOnce(out, random);
        }
        return out.length > maxBytes ? Arrays.copyOf(out, maxBytes) : out;
    }

    private byte[] mutateOnce(byte[] in, SplittableRandom random) {
        int n = in.length;
        int at = n == 0 ? 0 : random.nextInt(n);
        switch (random.nextInt(14)) {
            case 0 -> {
                if (n == 0) {
                    return insert(in, 0, new byte[] {(byte) random.nextInt(256)});
                }
                byte[] out = in.clone();
                out[at] ^= (byte) (1 << random.nextInt(8));
                return out;
            }
            case 1 -> {
                return overwrite(in, at, new byte[] {BOUNDARY_BYTES[random.nextInt(BOUNDARY_BYTES.length)]});
            }
            case 2 -> {
                return overwrite(in, at, new byte[] {(byte) random.nextInt(256)});
            }
            case 3 -> {
                int length = Math.min(n - at, 1 + random.nextInt(random.nextBoolean() ? 8 : 256));
                return delete(in, at, length);
            }
            case 4 -> {
                byte[] bytes = new byte[1 + random.nextInt(32)];
                random.nextBytes(bytes);
                return insert(in, atOrEnd(n, random), bytes);
            }
            case 5 -> {
                return dictionary.isEmpty() ? in : insert(in, atOrEnd(n, random), pick(dictionary, random));
            }
            case 6 -> {
                return dictionary.isEmpty() ? in : overwrite(in, at, pick(dictionary, random));
            }
            case 7 -> {
                // a chunk repeated: long runs, duplicated records
                int length = Math.min(n - at, 1 + random.nextInt(64));
                byte[] chunk = Arrays.copyOfRange(in, at, at + length);
                return insert(in, at, repeat(chunk, 1 + random.nextInt(random.nextBoolean() ? 4 : 200)));
            }
            case 8 -> {
                return Arrays.copyOf(in, n == 0 ? 0 : random.nextInt(n));
            }
            case 9 -> {
                long value = BOUNDARY_LONGS[random.nextInt(BOUNDARY_LONGS.length)] + random.nextInt(3) - 1;
                int width = random.nextBoolean() ? 8 : 4;
                byte[] bytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value).array();
                // length fields sit at the start of binary formats more often than anywhere else
                return overwrite(in, random.nextInt(4) == 0 ? 0 : at, Arrays.copyOf(bytes, width));
            }
            case 10 -> {
                return insert(in, atOrEnd(n, random), latin1(INVALID_UTF8[random.nextInt(INVALID_UTF8.length)]));
            }
            case 11 -> {
                byte[] other = seeds.get(random.nextInt(seeds.size()));
                int cut = other.length == 0 ? 0 : random.nextInt(other.length);
                byte[] out = Arrays.copyOf(in, at + other.length - cut);
                System.arraycopy(other, cut, out, at, other.length - cut);
                return out;
            }
            case 12 -> {
                String open = random.nextBoolean() ? "[" : "{\"a\":";
                return insert(in, atOrEnd(n, random), repeat(open.getBytes(StandardCharsets.US_ASCII),
                        100 + random.nextInt(random.nextBoolean() ? 1000 : 20_000)));
            }
            default -> {
                return overwrite(in, at, NUMBERS[random.nextInt(NUMBERS.length)].getBytes(StandardCharsets.US_ASCII));
            }
        }
    }

    private static int atOrEnd(int n, SplittableRandom random) {
        return random.nextInt(n + 1);
    }

    private static byte[] pick(List<byte[]> tokens, SplittableRandom random) {
        return tokens.get(random.nextInt(tokens.size()));
    }

    static byte[] insert(byte[] in, int at, byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length + bytes.length);
        out.write(in, 0, at);
        out.writeBytes(bytes);
        out.write(in, at, in.length - at);
        return out.toByteArray();
    }

    static byte[] overwrite(byte[] in, int at, byte[] bytes) {
        byte[] out = Arrays.copyOf(in, Math.max(in.length, at + bytes.length));
        System.arraycopy(bytes, 0, out, at, bytes.length);
        return out;
    }

    static byte[] delete(byte[] in, int at, int length) {
        byte[] out = new byte[in.length - length];
        System.arraycopy(in, 0, out, 0, at);
        System.arraycopy(in, at + length, out, at, in.length - at - length);
        return out;
    }

    static byte[] repeat(byte[] chunk, int times) {
        byte[] out = new byte[chunk.length * times];
        for (int t = 0; t < times; t++) {
            System.arraycopy(chunk, 0, out, t * chunk.length, chunk.length);
        }
        return out;
    }

    /** Bytes of a string of chars 0..255, one byte each (how the invalid sequences above are written). */
    static byte[] latin1(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }
}

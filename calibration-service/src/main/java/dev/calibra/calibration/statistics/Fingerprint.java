package dev.calibra.calibration.statistics;

import dev.calibra.artifacts.ContentHash;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

/** A calibration set's fingerprint: sha256 (hex) of its token ids as int32 little-endian, row-major. */
public final class Fingerprint {

    private Fingerprint() {}

    public static String of(List<int[]> rows) {
        MessageDigest digest = ContentHash.sha256();
        for (int[] row : rows) {
            ByteBuffer bytes = ByteBuffer.allocate(row.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            bytes.asIntBuffer().put(row);
            digest.update(bytes.array());
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}

package dev.calibra.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The version of Calibra that made an output (from the build), for the producer fields of the formats it writes. */
public final class CalibraVersion {

    private static final String VERSION = read();

    private CalibraVersion() {}

    /** "0.1.0-SNAPSHOT". */
    public static String version() {
        return VERSION;
    }

    /** The producer as GPTQModel's {@code meta.quantizer} names one: "calibra:0.1.0-SNAPSHOT". */
    public static String quantizer() {
        return "calibra:" + VERSION;
    }

    private static String read() {
        try (InputStream in = CalibraVersion.class.getResourceAsStream("calibra-version.properties")) {
            if (in == null) {
                throw new IllegalStateException("calibra-version.properties is missing from model-core's classes");
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

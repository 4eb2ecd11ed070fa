package dev.calibra.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import java.io.PrintStream;
import java.io.UncheckedIOException;

/**
 * Everything a command prints. With --json: exactly one JSON object on stdout (snake_case keys, the
 * contract in DESIGN.md); otherwise lines for people. Progress and diagnostics go to stderr.
 */
public final class Output {

    public static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final JsonFormat.Printer PROTO = JsonFormat.printer().preservingProtoFieldNames().alwaysPrintFieldsWithNoPresence();

    private final boolean json;
    private final PrintStream out;
    private final PrintStream err;

    public Output(boolean json, PrintStream out, PrintStream err) {
        this.json = json;
        this.out = out;
        this.err = err;
    }

    public boolean json() {
        return json;
    }

    public ObjectNode object() {
        return JSON.createObjectNode();
    }

    /** A proto message as a JSON tree with its proto (snake_case) field names. */
    public static ObjectNode tree(MessageOrBuilder message) {
        try {
            return (ObjectNode) JSON.readTree(PROTO.print(message));
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        } catch (java.io.IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Prints the command's one JSON object (only in --json mode). */
    public void emit(ObjectNode result) {
        if (json) {
            try {
                out.println(JSON.writeValueAsString(result));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** A line for people (suppressed in --json mode, where stdout is the JSON object alone). */
    public void line(String text) {
        if (!json) {
            out.println(text);
        }
    }

    public void linef(String format, Object... args) {
        line(String.format(format, args));
    }

    /** Diagnostics and progress: stderr, in both modes. */
    public void note(String text) {
        err.println(text);
    }

    public PrintStream err() {
        return err;
    }
}

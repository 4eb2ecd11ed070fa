package dev.calibra.evaluation.perplexity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.calibra.rpc.CalibraException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusDocumentsTest {

    @TempDir Path dir;

    /** Review finding 7: the whole decompressed file was read into memory, so a gzip bomb took the worker down. */
    @Test
    void aGzipThatDecompressesPastTheLimit_isRefusedWithoutReadingItWhole() throws Exception {
        Path bomb = dir.resolve("bomb.txt.gz");
        byte[] zeros = new byte[1 << 20];
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(bomb))) {
            for (int i = 0; i < 8; i++) {
                out.write(zeros);
            }
        }
        assertTrue(Files.size(bomb) < 64 << 10, "8 MiB of zeros compress to a few KiB");
        CalibraException refused = assertThrows(CalibraException.class, () -> CorpusDocuments.read(bomb, "whole", 1 << 20));
        assertEquals(CalibraException.Kind.RESOURCE_EXHAUSTED, refused.kind());
        assertTrue(refused.getMessage().contains("more than 1048576 bytes of text once decompressed"), refused.getMessage());
    }

    @Test
    void textWithinTheLimit_isSplitByTheDocumentRule() throws Exception {
        Path small = dir.resolve("small.txt.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(small))) {
            out.write("one\n\ntwo\r\n\r\nthree\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        assertEquals(List.of("one", "two", "three"), CorpusDocuments.read(small, "blank-lines", 1 << 20));
    }

    @Test
    void chatCorpus_readsAsTheContentsOfEachConversation() throws Exception {
        Path chat = dir.resolve("chat.jsonl");
        Files.writeString(chat, "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}, {\"role\": \"assistant\", \"content\": \"Hello\"}]}\n"
                + "{\"messages\": [{\"role\": \"user\", \"content\": \"Bye\"}]}\n");
        assertEquals(List.of("Hi\n\nHello", "Bye"), CorpusDocuments.read(chat, "chat:messages", 1 << 20));
        Files.writeString(chat, "{\"messages\": \"not a list\"}\n");
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> CorpusDocuments.read(chat, "chat:messages", 1 << 20));
        assertEquals(chat + " line 1: field 'messages' must be a list of messages", bad.getMessage());
    }
}

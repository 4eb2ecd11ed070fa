package dev.calibra.calibration.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.calibra.calibration.Assets;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DocumentReaderTest {

    @TempDir
    Path temp;

    // Reference counts from Python: re.split(r'\n[ \t]*\n', text) non-blank parts; non-blank lines; JSONL lines.
    @Test
    void scan_tinyStoriesBlankLines_countsParagraphsAsPython() throws IOException {
        CorpusScan scan = CorpusScan.of(Assets.corpus("tinystories_valid_first.txt"), "", "");
        assertEquals(4302, scan.documents());
        assertEquals("blank-lines", scan.rule().label());
        assertEquals(Files.size(Assets.corpus("tinystories_valid_first.txt")), scan.sizeBytes());
    }

    @Test
    void scan_abcNewsLines_countsNonBlankLines() throws IOException {
        assertEquals(15744, CorpusScan.of(Assets.corpus("abc_science_news.txt"), "lines", "").documents());
    }

    @Test
    void scan_c4Jsonl_readsTextFieldOfEveryLine() throws IOException {
        CorpusScan scan = CorpusScan.of(Assets.corpus("c4_en_train00000_first1000.jsonl"), "", "");
        assertEquals(1000, scan.documents());
        assertEquals("jsonl:text", scan.rule().label());
    }

    @Test
    void scan_wholeRule_oneDocumentPerFile() throws IOException {
        assertEquals(1, CorpusScan.of(Assets.corpus("tiny_shakespeare.txt"), "whole", "").documents());
    }

    @Test
    void read_gzippedFile_givesTheSameDocumentsAsPlain() throws IOException {
        Path gz = temp.resolve("stories.txt.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            Files.copy(Assets.corpus("tinystories_valid_first.txt"), out);
        }
        assertEquals(documents(Assets.corpus("tinystories_valid_first.txt"), "blank-lines"), documents(gz, "blank-lines"));
    }

    @Test
    void read_folder_readsFilesInPathOrder() throws IOException {
        Files.writeString(temp.resolve("b.txt"), "second\n\nthird\n");
        Files.writeString(temp.resolve("a.txt"), "first\r\nstill first\r\n");
        assertEquals(List.of("first\nstill first", "second", "third"), documents(temp, "blank-lines"));
    }

    @Test
    void scan_nonUtf8Byte_namesFileLineAndByte() throws IOException {
        Path bad = temp.resolve("bad.txt");
        Files.write(bad, new byte[] {'o', 'k', '\n', '\n', 'a', 'b', (byte) 0xFF, 'c', '\n'});
        CorpusFormatException error = assertThrows(CorpusFormatException.class, () -> CorpusScan.of(bad, "", ""));
        assertTrue(error.getMessage().contains("bad.txt line 3: byte 3 of the line (0xFF) is not valid UTF-8"), error.getMessage());
    }

    @Test
    void scan_jsonlLineWithoutField_namesTheLine() throws IOException {
        Path bad = temp.resolve("bad.jsonl");
        Files.writeString(bad, "{\"text\": \"a\"}\n{\"body\": \"b\"}\n");
        CorpusFormatException error = assertThrows(CorpusFormatException.class, () -> CorpusScan.of(bad, "", ""));
        assertTrue(error.getMessage().contains("bad.jsonl line 2 has no string field 'text'"), error.getMessage());
    }

    @Test
    void scan_jsonlWithOtherField_usesIt() throws IOException {
        Path file = temp.resolve("other.jsonl");
        Files.writeString(file, "{\"body\": \"a\"}\n{\"body\": \"b\"}\n");
        CorpusScan scan = CorpusScan.of(file, "", "body");
        assertEquals(2, scan.documents());
        assertEquals("jsonl:body", scan.rule().label());
    }

    @Test
    void scan_emptyOrMissingFile_isRefusedNamingIt() throws IOException {
        Path empty = Files.createFile(temp.resolve("empty.txt"));
        assertTrue(assertThrows(CorpusFormatException.class, () -> CorpusScan.of(empty, "", "")).getMessage()
                .contains("empty.txt is empty"));
        assertTrue(assertThrows(CorpusFormatException.class, () -> CorpusScan.of(temp.resolve("nope.txt"), "", ""))
                .getMessage().contains("does not exist"));
        Path blank = temp.resolve("blank.txt");
        Files.writeString(blank, "\n\n  \n");
        assertTrue(assertThrows(CorpusFormatException.class, () -> CorpusScan.of(blank, "", "")).getMessage()
                .contains("has no documents"));
    }

    @Test
    void parse_unknownRule_namesIt() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DocumentRule.parse("paragraphs")).getMessage()
                .contains("'paragraphs'"));
    }

    private static List<String> documents(Path path, String rule) throws IOException {
        List<String> documents = new ArrayList<>();
        new DocumentReader(CorpusSource.open(path), DocumentRule.parse(rule)).forEach((index, text) -> {
            assertEquals(documents.size(), index);
            documents.add(text);
            return true;
        });
        return documents;
    }

    @Test
    void chatCorpus_scansConversations_andReadsAsTheirContentsWithoutRoles() throws IOException {
        CorpusScan scan = CorpusScan.of(Assets.corpus("tinystories_chat.jsonl"), "chat", "");
        assertEquals(533, scan.documents());
        assertEquals("chat:messages", scan.rule().label());
        Path file = temp.resolve("chat.jsonl");
        Files.writeString(file, "{\"messages\": [{\"role\": \"system\", \"content\": \"Be kind.\"}, "
                + "{\"role\": \"user\", \"content\": \"Hi\"}, {\"role\": \"assistant\", \"content\": \"Hello!\"}]}\n");
        assertEquals(List.of("Be kind.\n\nHi\n\nHello!"), documents(file, "chat"));
        List<Object> roles = new ArrayList<>();
        new DocumentReader(CorpusSource.open(file), DocumentRule.parse("chat")).forEachConversation((i, messages) -> {
            messages.forEach(message -> roles.add(message.get("role")));
            return true;
        });
        assertEquals(List.of("system", "user", "assistant"), roles);
    }

    @Test
    void chatCorpus_badMessages_nameFileLineAndMessage() throws IOException {
        Path file = temp.resolve("bad.jsonl");
        for (String[] bad : new String[][] {
                {"{\"text\": \"no messages\"}", "line 2 has no non-empty list 'messages' of messages"},
                {"{\"messages\": [{\"content\": \"hi\"}]}", "line 2: message 0 has no string 'role'"},
                {"{\"messages\": [{\"role\": \"user\", \"content\": \"a\"}, {\"role\": \"user\", \"content\": [{\"type\": \"text\"}]}]}",
                        "line 2: message 1 has no string 'content' (content given as a list of parts is not supported)"},
                {"{\"messages\": [\"hi\"]}", "line 2: message 0 is not a JSON object"}}) {
            Files.writeString(file, "{\"messages\": [{\"role\": \"user\", \"content\": \"fine\"}]}\n" + bad[0] + "\n");
            CorpusFormatException e = assertThrows(CorpusFormatException.class, () -> CorpusScan.of(file, "chat", ""));
            assertTrue(e.getMessage().contains(file + " " + bad[1]), e.getMessage());
        }
        IllegalArgumentException text = assertThrows(IllegalArgumentException.class,
                () -> CorpusScan.of(Assets.corpus("tiny_shakespeare.txt"), "chat", ""));
        assertTrue(text.getMessage().contains("applies to .jsonl files only"), text.getMessage());
    }
}

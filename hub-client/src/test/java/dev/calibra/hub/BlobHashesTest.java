package dev.calibra.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BlobHashesTest {

    @Test
    void finish_hello_matchesGitHashObjectAndSha256sum() {
        byte[] bytes = "hello\n".getBytes(StandardCharsets.UTF_8);
        BlobHashes hashes = new BlobHashes(bytes.length, true);
        hashes.update(bytes, 0, 3);
        hashes.update(bytes, 3, bytes.length - 3);
        BlobHashes.Hex hex = hashes.finish();
        // `echo hello | git hash-object --stdin` and `echo hello | sha256sum`
        assertEquals("ce013625030ba8dba906f756967f9e9ca394464a", hex.gitOid());
        assertEquals("5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03", hex.sha256());
    }

    @Test
    void finish_emptyFile_isGitsEmptyBlob() {
        BlobHashes.Hex hex = new BlobHashes(0, true).finish();
        assertEquals("e69de29bb2d1d6434b8b29ae775ad8c2e48c5391", hex.gitOid());
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", hex.sha256());
    }

    @Test
    void finish_withoutGitOid_leavesItNull() {
        assertNull(new BlobHashes(0, false).finish().gitOid());
    }
}

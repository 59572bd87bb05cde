package stream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataFolderTest {
    @TempDir
    Path tmp;

    static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    static Path loose(Path file) throws IOException {
        Files.writeString(file, "x");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        return file;
    }

    @Test
    void aNewFolderIsCreatedPrivate() throws Exception {
        DataFolder d = DataFolder.prepare(tmp.resolve("a/b/data"));
        assertTrue(Files.isDirectory(d.dir()));
        assertEquals("rwx------", mode(d.dir()));
        assertEquals(d.dir().resolve("streamrelay.db"), d.database());
    }

    @Test
    void anExistingLooseFolderAndItsSecretsAreMadePrivate() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("data"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path db = loose(dir.resolve("streamrelay.db"));
        Path wal = loose(dir.resolve("streamrelay.db-wal"));
        Path shm = loose(dir.resolve("streamrelay.db-shm"));
        Path initial = loose(dir.resolve("initial-admin-password"));
        DataFolder.prepare(dir);
        assertEquals("rwx------", mode(dir));
        for (Path f : new Path[] {db, wal, shm, initial}) {
            assertEquals("rw-------", mode(f), f.toString());
        }
    }

    @Test
    void aSymlinkInTheFolderIsNotFollowedByTheChmod() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("data"));
        Path elsewhere = loose(tmp.resolve("someone-elses-file"));
        Files.createSymbolicLink(dir.resolve("streamrelay.db-journal"), elsewhere);
        DataFolder.prepare(dir);
        assertEquals("rw-r--r--", mode(elsewhere));
    }

    @Test
    void aSymlinkedDataFolderMakesItsTargetPrivate() throws Exception {
        Path real = Files.createDirectory(tmp.resolve("usb-disk"));
        Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rwxrwxr-x"));
        Path link = Files.createSymbolicLink(tmp.resolve("data"), real);
        DataFolder.prepare(link);
        assertEquals("rwx------", mode(real));
    }

    @Test
    void aFileIsNotADataFolder() throws Exception {
        Path file = Files.writeString(tmp.resolve("file"), "x");
        IOException e = assertThrows(IOException.class, () -> DataFolder.prepare(file));
        assertTrue(e.getMessage().contains("not a directory"), e.getMessage());
    }
}

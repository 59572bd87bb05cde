package stream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuntimeFolderTest {
    @TempDir
    Path parent;
    @TempDir
    Path outside;

    static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    /** The pid of a process that has exited (and been reaped), so no process has it now. */
    static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        long pid = p.pid();
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        return pid;
    }

    @Test
    void eachFolderIsFreshPrivateAndUnpredictable() throws Exception {
        try (RuntimeFolder a = RuntimeFolder.create(parent); RuntimeFolder b = RuntimeFolder.create(parent)) {
            assertNotEquals(a.path(), b.path());
            for (RuntimeFolder f : List.of(a, b)) {
                String name = f.path().getFileName().toString();
                assertTrue(name.matches("streamrelay-" + ProcessHandle.current().pid() + "-\\d{6,}"), name);
                assertTrue(Files.isDirectory(f.path(), LinkOption.NOFOLLOW_LINKS));
                assertEquals("rwx------", mode(f.path()));
                assertEquals(Files.getOwner(parent), Files.getOwner(f.path(), LinkOption.NOFOLLOW_LINKS));
            }
        }
    }

    @Test
    void closeRemovesTheFolderAndItsFilesButNotWhatALinkInsidePointsTo() throws Exception {
        Path precious = Files.writeString(outside.resolve("precious.txt"), "keep me");
        RuntimeFolder f = RuntimeFolder.create(parent);
        Files.writeString(f.path().resolve("snapshot-1.jpg"), "jpeg");
        Files.createSymbolicLink(f.path().resolve("link"), precious);
        Files.createSymbolicLink(f.path().resolve("dirlink"), outside);
        f.close();
        assertFalse(Files.exists(f.path(), LinkOption.NOFOLLOW_LINKS));
        assertEquals("keep me", Files.readString(precious));
        f.close(); // twice is harmless
    }

    @Test
    void staleFoldersOfDeadProcessesAreRemovedAtTheNextStart() throws Exception {
        Path stale = Files.createDirectory(parent.resolve("streamrelay-" + deadPid() + "-12345"));
        Files.writeString(stale.resolve("snapshot-1.jpg"), "old");
        // a reused pid: this very process has the pid in the name, but it started after the folder last changed
        Path reused = Files.createDirectory(parent.resolve("streamrelay-" + ProcessHandle.current().pid() + "-777"));
        Files.setLastModifiedTime(reused, FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
        try (RuntimeFolder f = RuntimeFolder.create(parent)) {
            assertFalse(Files.exists(stale));
            assertFalse(Files.exists(reused));
            assertTrue(f.removedStale().containsAll(List.of(stale, reused)), f.removedStale().toString());
            assertTrue(Files.isDirectory(f.path()));
        }
    }

    @Test
    void aLiveProcesssFolderAndOtherEntriesAreLeftAlone() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        try {
            // made after the process started: it is that process's folder
            Thread.sleep(20); // mtime must be after the start time, which /proc gives in clock ticks
            Path live = Files.createDirectory(parent.resolve("streamrelay-" + sleeper.pid() + "-1"));
            Path foreignName = Files.createDirectory(parent.resolve("streamrelay-notours"));
            Path legacy = Files.createDirectory(parent.resolve("streamrelay-1a2b3c"));
            // a link with a stale-looking name: never followed, never deleted, its target untouched
            Path target = Files.writeString(outside.resolve("keep.txt"), "x");
            Path link = Files.createSymbolicLink(parent.resolve("streamrelay-" + deadPid() + "-9"), outside);
            try (RuntimeFolder f = RuntimeFolder.create(parent)) {
                assertTrue(Files.isDirectory(live));
                assertTrue(Files.isDirectory(foreignName));
                assertTrue(Files.isDirectory(legacy));
                assertTrue(Files.isSymbolicLink(link));
                assertEquals("x", Files.readString(target));
                assertEquals(List.of(), f.removedStale());
            }
        } finally {
            sleeper.destroy();
            sleeper.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void parentIsSystemdsRuntimeDirectoryThenSharedMemory() {
        Path data = parent.resolve("data");
        assertEquals(Path.of("/run/streamrelay"), RuntimeFolder.defaultParent("/run/streamrelay:/run/other", data));
        Path expected = Files.isDirectory(Path.of("/dev/shm")) && Files.isWritable(Path.of("/dev/shm"))
                ? Path.of("/dev/shm") : data;
        assertEquals(expected, RuntimeFolder.defaultParent(null, data));
        assertEquals(expected, RuntimeFolder.defaultParent(" ", data));
    }
}

package stream.app;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The private folder for files rewritten all the time (the live snapshots), in memory where possible.
 *
 * <p>Its parent is shared with other users (/dev/shm is world-writable), so a fixed name could be taken first by
 * someone else, e.g. as a symlink that sends ffmpeg's writes elsewhere. The folder is therefore made fresh with
 * mkdir under a name no one can predict ({@code streamrelay-<pid>-<random>}): mkdir never follows a symlink and
 * fails on any existing name. It is checked after creation (a real directory, owned by this process's user, mode
 * 0700) and removed at {@link #close()}. Folders left by a process that was killed with SIGKILL are removed at the
 * next start: only those of this user whose process is gone.
 */
final class RuntimeFolder implements AutoCloseable {
    static final String PREFIX = "streamrelay-";
    private static final Pattern NAME = Pattern.compile(Pattern.quote(PREFIX) + "(\\d+)-\\d+");
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    private final Path dir;
    private final List<Path> removedStale;

    private RuntimeFolder(Path dir, List<Path> removedStale) {
        this.dir = dir;
        this.removedStale = List.copyOf(removedStale);
    }

    /**
     * Where the folder goes: systemd's RuntimeDirectory when set, else /dev/shm when writable, else the data folder
     * (which is itself private).
     */
    static Path defaultParent(String systemdRuntimeDirectory, Path dataDir) {
        if (systemdRuntimeDirectory != null && !systemdRuntimeDirectory.isBlank()) {
            return Path.of(systemdRuntimeDirectory.split(":")[0]);
        }
        Path shm = Path.of("/dev/shm");
        if (Files.isDirectory(shm) && Files.isWritable(shm)) {
            return shm;
        }
        return dataDir;
    }

    /** Makes a fresh private folder under {@code parent}, after removing this user's stale ones there. */
    static RuntimeFolder create(Path parent) throws IOException {
        Path dir = Files.createTempDirectory(parent, PREFIX + ProcessHandle.current().pid() + "-",
                PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        PosixFileAttributes made = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        // mkdir gave it to us with these attributes; checked anyway, as the whole design rests on them
        if (!made.isDirectory() || made.isSymbolicLink() || !made.permissions().equals(OWNER_ONLY)) {
            Files.deleteIfExists(dir);
            throw new IOException("runtime folder " + dir + " is not a private directory after creation");
        }
        List<Path> removed = removeStale(parent, made.owner(), dir);
        return new RuntimeFolder(dir, removed);
    }

    Path path() {
        return dir;
    }

    /** The stale folders of earlier processes that were removed at creation. */
    List<Path> removedStale() {
        return removedStale;
    }

    /**
     * Removes the folders of this user's earlier processes that are gone. A folder counts as stale when no process
     * has the pid in its name, or when that process started after the folder last changed (the pid was reused).
     */
    private static List<Path> removeStale(Path parent, UserPrincipal me, Path mine) {
        List<Path> removed = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(parent, PREFIX + "*")) {
            for (Path p : entries) {
                if (p.equals(mine)) {
                    continue;
                }
                Matcher m = NAME.matcher(p.getFileName().toString());
                if (!m.matches()) {
                    continue; // not a name this class gives
                }
                PosixFileAttributes a;
                try {
                    a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                } catch (IOException gone) {
                    continue;
                }
                // another user's folder, or a symlink someone placed: not ours to touch
                if (!a.isDirectory() || a.isSymbolicLink() || !a.owner().equals(me)) {
                    continue;
                }
                if (ownerAlive(Long.parseLong(m.group(1)), a.lastModifiedTime().toInstant())) {
                    continue;
                }
                try {
                    deleteTree(p);
                    removed.add(p);
                } catch (IOException ignored) {
                    // best effort: a folder that cannot be removed now is tried again at the next start
                }
            }
        } catch (IOException | NumberFormatException ignored) {
            // an unreadable parent only means nothing is cleaned up
        }
        return removed;
    }

    private static boolean ownerAlive(long pid, Instant folderChanged) {
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        if (h.isEmpty() || !h.get().isAlive()) {
            return false;
        }
        Optional<Instant> started = h.get().info().startInstant();
        // without a start time (another user's process) the folder is left alone rather than risk a live one
        return started.isEmpty() || !started.get().isAfter(folderChanged);
    }

    /** Deletes a tree without following symlinks: a link inside is removed, never what it points to. */
    static void deleteTree(Path root) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null && !(e instanceof NoSuchFileException)) {
                    throw e;
                }
                Files.deleteIfExists(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Removes the folder and everything in it (call after ffmpeg has stopped writing there). */
    @Override
    public void close() {
        try {
            deleteTree(dir);
        } catch (NoSuchFileException gone) {
            // already removed
        } catch (IOException e) {
            System.getLogger("stream.app").log(System.Logger.Level.WARNING,
                    "cannot remove runtime folder " + dir + ": " + e.getMessage());
        }
    }
}

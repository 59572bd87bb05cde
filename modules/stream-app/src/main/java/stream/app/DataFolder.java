package stream.app;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The data folder (--data): the database, which holds the camera passwords and stream keys in clear, and the
 * initial admin password. It is made private even when it already exists (a folder made by hand or by an older
 * version may be 0755), and so are the files in it.
 */
record DataFolder(Path dir) {
    static final String DATABASE = "streamrelay.db";
    static final String INITIAL_PASSWORD = "initial-admin-password";
    private static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");

    /** Creates the folder 0700 if needed, or tightens an existing one to 0700 and its database files to 0600. */
    static DataFolder prepare(Path dir) throws IOException {
        Path d = dir.toAbsolutePath().normalize();
        if (!Files.exists(d)) {
            Files.createDirectories(d, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR));
        }
        // A symlinked data folder (e.g. to a USB disk) is fine: it is the folder it leads to that is made private.
        PosixFileAttributes a = Files.readAttributes(d, PosixFileAttributes.class);
        if (!a.isDirectory()) {
            throw new IOException("data folder " + d + " is not a directory");
        }
        if (!a.permissions().equals(OWNER_ONLY_DIR)) {
            try {
                Files.setPosixFilePermissions(d, OWNER_ONLY_DIR);
            } catch (IOException e) {
                throw new IOException("cannot make data folder " + d + " private (mode 0700); it belongs to "
                        + a.owner().getName() + ": " + e.getMessage(), e);
            }
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(d, DATABASE + "*")) {
            for (Path f : files) {
                tighten(f);
            }
        }
        tighten(d.resolve(INITIAL_PASSWORD));
        return new DataFolder(d);
    }

    /** A regular file (not a symlink: chmod would change what it points to) is made 0600. */
    private static void tighten(Path file) throws IOException {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS).equals(OWNER_ONLY_FILE)) {
            Files.setPosixFilePermissions(file, OWNER_ONLY_FILE);
        }
    }

    Path database() {
        return dir.resolve(DATABASE);
    }

    Path initialPassword() {
        return dir.resolve(INITIAL_PASSWORD);
    }
}

package stream.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * One scratch directory per server (configs, logs, nginx temp paths), deleted on close.
 * Set -Dstreamrelay.it.keepTemp=true to keep them for a post-mortem.
 */
public final class ScratchDir {

    private ScratchDir() {}

    public static Path create(String prefix) {
        try {
            return Files.createTempDirectory("streamrelay-it-" + prefix + "-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create temp dir", e);
        }
    }

    public static void delete(Path dir) {
        if (dir == null || Boolean.getBoolean("streamrelay.it.keepTemp") || !Files.exists(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    if (e instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE;
                    }
                    throw e;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }
}

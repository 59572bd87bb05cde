package stream.store;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One SQLite database file: opens it with WAL, a busy timeout and foreign keys, runs the migrations, and
 * hands out a write connection (serialised, transactions join when nested) and a read connection.
 */
public final class Database implements AutoCloseable {
    /** How long a connection waits for another process's lock before failing, in milliseconds. */
    static final int BUSY_TIMEOUT_MS = 5_000;

    private final Connection writer;
    private final Connection reader;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final ReentrantLock readLock = new ReentrantLock();
    private int depth;

    private Database(Connection writer, Connection reader) {
        this.writer = writer;
        this.reader = reader;
    }

    /**
     * Loads SQLite's JDBC driver and native library by opening and closing an in-memory database: the slow part of a
     * first {@link #open} (about 70 ms of a start on the 2-core test machine), which a caller can so have done beside
     * other start-up work. A failure here is left to the open that follows, which reports it.
     */
    public static void loadDriver() {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite::memory:")) {
            c.isValid(0);
        } catch (SQLException | RuntimeException | LinkageError ignored) {
            // reported by open()
        }
    }

    /** Opens (creating with mode 0600 if needed) and migrates the database to the newest version. */
    public static Database open(Path file) {
        return open(file, Migrations.LATEST);
    }

    /** Opens and migrates only up to {@code targetVersion}; tests use it to build older databases. */
    public static Database open(Path file, int targetVersion) {
        try {
            createPrivately(file);
            Connection writer = connect(file);
            Connection reader = null;
            try {
                Migrations.migrate(writer, targetVersion);
                reader = connect(file);
                return new Database(writer, reader);
            } catch (SQLException | RuntimeException e) {
                closeQuietly(writer);
                closeQuietly(reader);
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException("cannot open database " + file + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new StoreException("cannot create database " + file + ": " + e, e);
        }
    }

    private static void createPrivately(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        // SQLite gives its -wal and -shm files the main file's mode, so creating the main file 0600 covers all three.
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException exists) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        }
    }

    private static Connection connect(Path file) throws SQLException {
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout = " + BUSY_TIMEOUT_MS);
            s.execute("PRAGMA journal_mode = WAL");
            // NORMAL in WAL mode: a crash of the process loses nothing, a power cut may lose the last commits
            // but never leaves the file inconsistent; FULL would fsync every SSE event on an SD card.
            s.execute("PRAGMA synchronous = NORMAL");
            s.execute("PRAGMA foreign_keys = ON");
            // 1 MiB of page cache per connection instead of 2: the database is small, the board's memory is not
            s.execute("PRAGMA cache_size = -1024");
        }
        return c;
    }

    /** The schema version ({@code PRAGMA user_version}). */
    public int schemaVersion() {
        return read(c -> {
            try (Statement s = c.createStatement(); var rs = s.executeQuery("PRAGMA user_version")) {
                return rs.next() ? rs.getInt(1) : 0;
            }
        });
    }

    /** Work on the connection that reads; it sees every committed write. */
    public <T> T read(SqlFunction<T> work) {
        // a read on the thread holding an open write transaction must see that transaction's writes
        if (writeLock.isHeldByCurrentThread()) {
            return write(work);
        }
        readLock.lock();
        try {
            return work.apply(reader);
        } catch (SQLException e) {
            throw new StoreException(e.getMessage(), e);
        } finally {
            readLock.unlock();
        }
    }

    /** Work in a write transaction; a call inside another write joins it, so callers compose atomically. */
    public <T> T write(SqlFunction<T> work) {
        writeLock.lock();
        try {
            if (depth > 0) {
                depth++;
                try {
                    return work.apply(writer);
                } finally {
                    depth--;
                }
            }
            depth = 1;
            try (Statement s = writer.createStatement()) {
                s.execute("BEGIN IMMEDIATE");
            }
            boolean ok = false;
            try {
                T result = work.apply(writer);
                try (Statement s = writer.createStatement()) {
                    s.execute("COMMIT");
                }
                ok = true;
                return result;
            } finally {
                if (!ok) {
                    try (Statement s = writer.createStatement()) {
                        s.execute("ROLLBACK");
                    } catch (SQLException ignored) {
                        // the transaction may already be gone; the original failure is what matters
                    }
                }
                depth = 0;
            }
        } catch (SQLException e) {
            throw new StoreException(e.getMessage(), e);
        } finally {
            writeLock.unlock();
        }
    }

    /** Runs {@code work} as one transaction. */
    public void transaction(Runnable work) {
        write(c -> {
            work.run();
            return null;
        });
    }

    @Override
    public void close() {
        writeLock.lock();
        readLock.lock();
        try {
            closeQuietly(reader);
            closeQuietly(writer);
        } finally {
            readLock.unlock();
            writeLock.unlock();
        }
    }

    private static void closeQuietly(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (SQLException ignored) {
            // closing at shutdown: nothing left to do with the error
        }
    }

    /** A piece of JDBC work. */
    @FunctionalInterface
    public interface SqlFunction<T> {
        T apply(Connection c) throws SQLException;
    }
}

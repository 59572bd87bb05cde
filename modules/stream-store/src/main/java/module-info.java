/**
 * The appliance's SQLite store over raw JDBC: {@code Database} opens the file and brings its schema to the newest
 * numbered migration; one repository per table reads and writes records ({@code StreamConfig}, {@code LogEntry},
 * {@code UrlChange}, ...). It holds text as given: URLs are checked before they get here (stream.core's values).
 *
 * <pre>{@code
 * try (Database db = Database.open(dataDir.resolve("streamrelay.db"))) {   // created and migrated if need be
 *     StreamConfigRepository configs = new StreamConfigRepository(db);
 *     StreamConfig stream = configs.findDefault();
 *     configs.updateUrls(stream.id(), "rtsp://127.0.0.1:8554/yard", null, ChangeSource.API);  // + a url_history row
 *     new StreamLogRepository(db).append(stream.id(), "note", "camera moved to the yard", LogStatus.INFO);
 *     List<UrlChange> history = new UrlHistoryRepository(db).recent(stream.id(), 10);
 * }
 * }</pre>
 */
module stream.store {
    requires transitive java.sql;
    requires org.xerial.sqlitejdbc;

    exports stream.store;
}

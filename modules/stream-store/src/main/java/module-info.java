/**
 * The appliance's SQLite store over raw JDBC: schema migrations and typed repositories returning records.
 *
 * <pre>
 * try (Database db = Database.open(dataDir.resolve("streamrelay.db"))) {
 *     StreamConfig config = new StreamConfigRepository(db).findDefault();
 * }
 * </pre>
 */
module stream.store {
    requires transitive java.sql;
    requires org.xerial.sqlitejdbc;

    exports stream.store;
}

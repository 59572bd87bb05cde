package stream.store;

/** Who changed a stream's URLs (url_history.change_source). */
public enum ChangeSource {
    /** an SSE url_update event */
    SSE,
    /** a REST call with Basic or Bearer credentials */
    API,
    /** the dashboard */
    MANUAL;

    public String sql() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    static ChangeSource ofSql(String s) {
        return s == null ? null : valueOf(s.toUpperCase(java.util.Locale.ROOT));
    }
}

package stream.store;

import java.util.Locale;

/** stream_logs.status, as the CHECK constraint allows. */
public enum LogStatus {
    SUCCESS, ERROR, WARNING, INFO;

    public String sql() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a status name as the API takes it; null for anything else. */
    public static LogStatus parse(String s) {
        if (s == null) {
            return null;
        }
        for (LogStatus v : values()) {
            if (v.sql().equals(s)) {
                return v;
            }
        }
        return null;
    }
}

package stream.app;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.text.MessageFormat;
import java.util.ResourceBundle;
import java.util.TimeZone;

/**
 * The appliance's {@link System.Logger}s: one line per record on standard error, which systemd's journal or the
 * installer's log file keeps, in the shape java.util.logging printed with the launcher's format before:
 * {@code 2026-11-28 18:54:11 INFO stream.app: streamrelay listening on ...}, levels under their old names (SEVERE for
 * errors), INFO and above. Not java.util.logging behind System.Logger: its first record cost about 40 ms of CPU at
 * every start, while the first /healthz was being answered (LogManager set-up, localised level names, the caller
 * looked up by a stack walk on each record, java.util.Formatter), and every later record the stack walk.
 * SQLite's driver logs through java.util.logging directly, which keeps the launcher's format for it.
 */
public final class StderrLoggerFinder extends System.LoggerFinder {
    @Override
    public System.Logger getLogger(String name, Module module) {
        return new StderrLogger(name);
    }

    /** The line for one record, {@code millis} since the epoch in {@code zone}; {@code thrown} may be null. */
    static String line(long millis, TimeZone zone, System.Logger.Level level, String logger, String message,
                       Throwable thrown) {
        StringBuilder b = new StringBuilder(64 + message.length());
        appendLocalTime(b, millis + zone.getOffset(millis));
        b.append(' ').append(julName(level)).append(' ').append(logger).append(": ").append(message);
        if (thrown != null) {
            StringWriter trace = new StringWriter();
            thrown.printStackTrace(new PrintWriter(trace));
            b.append(System.lineSeparator()).append(trace.toString().stripTrailing());
        }
        return b.append(System.lineSeparator()).toString();
    }

    private static String julName(System.Logger.Level level) {
        return switch (level) {
            case ERROR -> "SEVERE";
            case DEBUG -> "FINE";
            case TRACE -> "FINER";
            default -> level.getName();
        };
    }

    /** yyyy-MM-dd HH:mm:ss of a local time given as milliseconds since the epoch (days to civil date: H. Hinnant). */
    private static void appendLocalTime(StringBuilder b, long localMillis) {
        long days = Math.floorDiv(localMillis, 86_400_000L);
        long secondOfDay = Math.floorMod(localMillis, 86_400_000L) / 1000;
        long z = days + 719_468;
        long era = Math.floorDiv(z, 146_097);
        long dayOfEra = z - era * 146_097;
        long yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        long mp = (5 * dayOfYear + 2) / 153;
        long day = dayOfYear - (153 * mp + 2) / 5 + 1;
        long month = mp < 10 ? mp + 3 : mp - 9;
        long year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
        b.append(year).append('-');
        two(b, month).append('-');
        two(b, day).append(' ');
        two(b, secondOfDay / 3600).append(':');
        two(b, secondOfDay / 60 % 60).append(':');
        two(b, secondOfDay % 60);
    }

    private static StringBuilder two(StringBuilder b, long n) {
        return b.append((char) ('0' + n / 10)).append((char) ('0' + n % 10));
    }

    private record StderrLogger(String name) implements System.Logger {
        @Override
        public String getName() {
            return name;
        }

        @Override
        public boolean isLoggable(Level level) {
            return level != Level.OFF && level.getSeverity() >= Level.INFO.getSeverity();
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
            if (isLoggable(level)) {
                write(level, localized(bundle, msg), thrown);
            }
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            if (isLoggable(level)) {
                String pattern = localized(bundle, format);
                write(level, params == null || params.length == 0 ? pattern : MessageFormat.format(pattern, params),
                        null);
            }
        }

        private static String localized(ResourceBundle bundle, String key) {
            if (key == null) {
                return "null";
            }
            return bundle != null && bundle.containsKey(key) ? bundle.getString(key) : key;
        }

        private void write(Level level, String message, Throwable thrown) {
            // one print of the whole line: records of several threads never interleave
            System.err.print(line(System.currentTimeMillis(), TimeZone.getDefault(), level, name, message, thrown));
            System.err.flush();
        }
    }
}

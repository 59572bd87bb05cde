package stream.sse;

import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import javax.net.ssl.SSLException;

/**
 * Wording shared by the client's log lines: durations, sizes and exceptions in a user's words.
 */
final class LogText {
    private static final int MAX_QUOTED = 120;

    private LogText() {
    }

    /** "0.5 s", "12 s", "2 min". */
    static String duration(Duration d) {
        long ms = d.toMillis();
        if (ms < 10_000) {
            return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
        }
        if (ms >= 120_000 && ms % 60_000 == 0) {
            return ms / 60_000 + " min";
        }
        return Math.round(ms / 1000.0) + " s";
    }

    /** "1 MiB", "64 KiB", "100 bytes". */
    static String bytes(long n) {
        if (n >= 1 << 20 && n % (1 << 20) == 0) {
            return n / (1 << 20) + " MiB";
        }
        if (n >= 1 << 10 && n % (1 << 10) == 0) {
            return n / (1 << 10) + " KiB";
        }
        return n + " bytes";
    }

    /** A server-supplied text, cut short and stripped of control characters, for quoting in a log line. */
    static String quote(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < text.length() && i < MAX_QUOTED; i++) {
            char c = text.charAt(i);
            out.append(c < 0x20 || c == 0x7F ? '?' : c);
        }
        if (text.length() > MAX_QUOTED) {
            out.append("...");
        }
        return out.append('"').toString();
    }

    /** Why a request or a body failed, e.g. "Connection refused" or "its host name could not be resolved". */
    static String cause(Throwable t) {
        Throwable e = t;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof UnresolvedAddressException || c instanceof UnknownHostException) {
                return "its host name could not be resolved";
            }
            if (c instanceof HttpConnectTimeoutException) {
                return "the connection timed out";
            }
            if (c instanceof HttpTimeoutException) {
                return "the request timed out";
            }
            if (c instanceof SSLException) {
                return "the TLS handshake or session failed: " + message(c);
            }
        }
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c.getMessage() != null && !c.getMessage().isBlank()) {
                return c.getMessage();
            }
        }
        return e.getClass().getSimpleName();
    }

    private static String message(Throwable t) {
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}

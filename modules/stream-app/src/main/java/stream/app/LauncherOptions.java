package stream.app;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import stream.sse.SseUrlPolicy;

import stream.core.SecretMasker;

/**
 * The launcher's options (contract §1), each also readable from its environment variable; a command-line option
 * wins over the environment.
 */
record LauncherOptions(Path data, int port, String bind, String ffmpeg, String adminPassword, String sseUrl,
                       boolean help, List<String> warnings) {

    /** A bad option or value: the launcher prints the message on one line and exits 2. */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    private record Option(String name, String env, String metavar, String defaultValue, String help) {
    }

    private static final List<Option> OPTIONS = List.of(
            new Option("--data", "STREAMRELAY_DATA", "DIR", "./data", "directory for streamrelay.db and runtime files"),
            new Option("--port", "STREAMRELAY_PORT", "N", "8080", "HTTP port for the dashboard and the API"),
            new Option("--bind", "STREAMRELAY_BIND", "ADDR", "0.0.0.0", "address to listen on (127.0.0.1 for local only)"),
            new Option("--ffmpeg", "STREAMRELAY_FFMPEG", "PATH", "ffmpeg", "the ffmpeg binary (looked up on PATH)"),
            new Option("--admin-password", "STREAMRELAY_ADMIN_PASSWORD", "PW", null,
                    "set the dashboard/API password of user admin (visible in ps: prefer the variable or the file)"),
            new Option("--admin-password-file", "STREAMRELAY_ADMIN_PASSWORD_FILE", "FILE", null,
                    "read the admin password from the first line of FILE (mode 0600 or 0400)"),
            new Option("--sse-url", "STREAMRELAY_SSE_URL", "URL", null,
                    "control server's event stream (http:// or https://); enables the SSE client"));

    /** What an option name looks like; any other word may be a password given without its option. */
    private static final Pattern OPTION_NAME = Pattern.compile("--?[A-Za-z][A-Za-z0-9-]{0,40}");

    /** An unknown option as a message shows it: by name, or masked when it does not look like one. */
    private static String shownOption(String name) {
        return OPTION_NAME.matcher(name).matches() ? name : SecretMasker.maskToken(name);
    }

    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");

    static String usage() {
        StringBuilder sb = new StringBuilder("""
                Usage: streamrelay [OPTION]...
                Relays an RTSP camera to an RTMP destination (YouTube Live) by supervising ffmpeg.

                """);
        for (Option o : OPTIONS) {
            String left = "  " + o.name + " " + o.metavar;
            sb.append(String.format("%-31s %s [%s]%s%n", left, o.help, o.env,
                    o.defaultValue == null ? "" : " (default " + o.defaultValue + ")"));
        }
        sb.append(String.format("%-31s %s%n", "  --help", "print this help and exit"));
        sb.append("\nSIGTERM stops the stream gracefully and exits 0.\n");
        return sb.toString();
    }

    static LauncherOptions parse(String[] args, Map<String, String> env) throws UsageException {
        Map<String, String> given = new HashMap<>();
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                help = true;
                continue;
            }
            String name = arg;
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            Option opt = find(name);
            if (opt == null) {
                throw new UsageException("unknown option '" + shownOption(name) + "' (see --help)");
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw new UsageException(opt.name + " needs a value (" + opt.metavar + ")");
                }
                value = args[++i];
            }
            given.put(opt.name, value);
        }
        if (help) {
            return new LauncherOptions(null, 0, null, null, null, null, true, List.of());
        }
        Map<String, String> values = new HashMap<>();
        for (Option o : OPTIONS) {
            String v = given.containsKey(o.name) ? given.get(o.name) : env.get(o.env);
            if (v == null || (v.isEmpty() && !given.containsKey(o.name))) {
                v = o.defaultValue;
            }
            values.put(o.name, v);
        }
        List<String> warnings = new ArrayList<>();
        String password = adminPasswordSource(given, values, warnings);
        int port = port(values.get("--port"));
        return new LauncherOptions(
                data(values.get("--data")),
                port,
                bind(values.get("--bind")),
                ffmpeg(values.get("--ffmpeg")),
                password,
                sseUrl(values.get("--sse-url"), port),
                false,
                List.copyOf(warnings));
    }

    /**
     * The admin password from --admin-password or --admin-password-file (each or its variable). A command-line option
     * wins over the other's variable, so a one-off start with a new password works under a unit that sets the file.
     */
    private static String adminPasswordSource(Map<String, String> given, Map<String, String> values,
                                              List<String> warnings) throws UsageException {
        String plain = values.get("--admin-password");
        String file = values.get("--admin-password-file");
        boolean plainGiven = given.containsKey("--admin-password");
        boolean fileGiven = given.containsKey("--admin-password-file");
        if (plainGiven && !fileGiven) {
            file = null;
        } else if (fileGiven && !plainGiven) {
            plain = null;
        }
        if (plain != null && file != null) {
            throw new UsageException("give the admin password either directly or as a file "
                    + "(--admin-password or --admin-password-file), not both");
        }
        if (file != null) {
            return adminPassword(readPasswordFile(file), "--admin-password-file");
        }
        if (plainGiven && plain != null) {
            warnings.add("the password given with --admin-password can be read by every user of this machine (ps); "
                    + "use STREAMRELAY_ADMIN_PASSWORD or --admin-password-file instead");
        }
        return adminPassword(plain, "--admin-password");
    }

    /** The bytes a password file may hold; a password is a line, not a document. */
    static final int MAX_PASSWORD_FILE_BYTES = 4096;

    private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    /** The first line of the file; its content never appears in a message. */
    private static String readPasswordFile(String name) throws UsageException {
        if (name.isEmpty()) {
            throw new UsageException("--admin-password-file must name a file");
        }
        Path p = Path.of(name);
        String shown = printable(name);
        if (!Files.isRegularFile(p)) {
            throw new UsageException("--admin-password-file " + shown + " is not a readable file");
        }
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
            Set<PosixFilePermission> loose = EnumSet.noneOf(PosixFilePermission.class);
            loose.addAll(perms);
            loose.retainAll(GROUP_OR_OTHERS);
            if (!loose.isEmpty()) {
                throw new UsageException("--admin-password-file " + shown + " can be read or changed by other users "
                        + "(mode " + PosixFilePermissions.toString(perms) + "); make it private with: chmod 600 " + shown);
            }
            byte[] head;
            try (var in = Files.newInputStream(p)) {
                head = in.readNBytes(MAX_PASSWORD_FILE_BYTES + 1);
            }
            if (head.length > MAX_PASSWORD_FILE_BYTES) {
                throw new UsageException("--admin-password-file " + shown + " is larger than "
                        + MAX_PASSWORD_FILE_BYTES + " bytes; it should hold the password on its first line");
            }
            String line;
            try (BufferedReader r = new BufferedReader(new InputStreamReader(
                    new java.io.ByteArrayInputStream(head), StandardCharsets.UTF_8))) {
                line = r.readLine();
            }
            if (line == null || line.isEmpty()) {
                throw new UsageException("--admin-password-file " + shown + " has no password on its first line");
            }
            return line;
        } catch (IOException e) {
            throw new UsageException("--admin-password-file " + shown + " cannot be read: "
                    + e.getClass().getSimpleName());
        } catch (UnsupportedOperationException e) {
            throw new UsageException("--admin-password-file " + shown + " is on a file system without permissions");
        }
    }

    private static Option find(String name) {
        return OPTIONS.stream().filter(o -> o.name.equals(name)).findFirst().orElse(null);
    }

    private static Path data(String v) throws UsageException {
        if (v.isEmpty()) {
            throw new UsageException("--data must name a directory");
        }
        Path p = Path.of(v);
        if (Files.exists(p) && !Files.isDirectory(p)) {
            throw new UsageException("--data " + printable(v) + " exists and is not a directory");
        }
        return p;
    }

    private static int port(String v) throws UsageException {
        try {
            int p = Integer.parseInt(v);
            if (p >= 1 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new UsageException("--port must be a number from 1 to 65535, not '" + printable(v) + "'");
    }

    private static String bind(String v) throws UsageException {
        // an address literal only: resolving a name here would make start-up wait on DNS
        if (v.equals("localhost") || v.equals("::") || v.equals("::1")) {
            return v;
        }
        var m = IPV4.matcher(v);
        if (m.matches()) {
            for (int g = 1; g <= 4; g++) {
                if (Integer.parseInt(m.group(g)) > 255) {
                    throw new UsageException("--bind must be an IP address such as 0.0.0.0 or 127.0.0.1, not '" + printable(v) + "'");
                }
            }
            return v;
        }
        if (v.contains(":") && v.matches("[0-9a-fA-F:.]+")) {
            return v;
        }
        throw new UsageException("--bind must be an IP address such as 0.0.0.0 or 127.0.0.1, not '" + printable(v) + "'");
    }

    private static String ffmpeg(String v) throws UsageException {
        if (v.isEmpty() || v.startsWith("-")) {
            throw new UsageException("--ffmpeg must be the path of the ffmpeg program");
        }
        if (v.contains("/")) {
            Path p = Path.of(v);
            if (!Files.isRegularFile(p) || !Files.isExecutable(p)) {
                throw new UsageException("--ffmpeg " + printable(v) + " is not an executable file");
            }
        }
        return v;
    }

    private static String adminPassword(String v, String option) throws UsageException {
        if (v == null) {
            return null;
        }
        if (v.length() < 8) {
            // the value is a secret: the message must not echo it
            throw new UsageException(option.equals("--admin-password-file")
                    ? "the password in --admin-password-file must be at least 8 characters long"
                    : "--admin-password must be at least 8 characters long");
        }
        return v;
    }

    /** The same rules as the settings API's sse_url, with this appliance's own port (a URL may not lead back to it). */
    private static String sseUrl(String v, int ownPort) throws UsageException {
        if (v == null || v.isEmpty()) {
            return null;
        }
        var problem = new SseUrlPolicy(ownPort).problem(v);
        if (problem.isPresent()) {
            throw new UsageException("--sse-url " + problem.get());
        }
        return v;
    }

    private static String printable(String s) {
        String t = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        return t.replaceAll("\\p{Cntrl}", "?");
    }

    @Override
    public String toString() {
        return "LauncherOptions[data=" + data + ", port=" + port + ", bind=" + bind + ", ffmpeg=" + ffmpeg
                + ", adminPassword=" + (adminPassword == null ? "unset" : "***") + ", sseUrl="
                + SecretMasker.maskUrl(sseUrl) + "]";
    }
}

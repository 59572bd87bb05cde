package stream.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AboutRouteTest {
    @TempDir
    Path dir;

    private String fakeFfmpeg(String script) throws IOException {
        Path f = dir.resolve("ffmpeg");
        Files.writeString(f, "#!/bin/sh\n" + script + "\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwx------"));
        return f.toString();
    }

    @Test
    void theVersionLineIsFoundPastALibraryWarningOnStderr() throws IOException {
        // what Debian's ffmpeg printed inside a container whose memory locking is limited
        String ffmpeg = fakeFfmpeg("echo 'Warning: using insecure memory!' >&2\n"
                + "echo 'ffmpeg version 5.1.8-0+deb12u1 Copyright (c) 2000-2025 the FFmpeg developers'\n"
                + "echo 'built with gcc 12 (Debian 12.2.0-14+deb12u1)'");
        assertEquals("ffmpeg version 5.1.8-0+deb12u1 Copyright (c) 2000-2025 the FFmpeg developers",
                AboutRoute.readFfmpegVersion(ffmpeg));
    }

    @Test
    void aWarningOnStdoutBeforeTheVersionIsSkipped() throws IOException {
        String ffmpeg = fakeFfmpeg("echo 'Warning: using insecure memory!'\necho 'ffmpeg version 6.0 Copyright'");
        assertEquals("ffmpeg version 6.0 Copyright", AboutRoute.readFfmpegVersion(ffmpeg));
    }

    @Test
    void aProgramThatIsNotFfmpegShowsWhatItSaidAndAMissingOneSaysSo() throws IOException {
        assertEquals("something else 1.0", AboutRoute.readFfmpegVersion(fakeFfmpeg("echo; echo 'something else 1.0'")));
        assertEquals("unknown", AboutRoute.readFfmpegVersion(fakeFfmpeg("exit 1")));
        assertEquals("unknown (ffmpeg could not be started)",
                AboutRoute.readFfmpegVersion(dir.resolve("no-such-ffmpeg").toString()));
    }
}

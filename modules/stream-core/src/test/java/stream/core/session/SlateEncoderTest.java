package stream.core.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;


/** Runs Debian's ffmpeg: the slate and the silence as the session will use them. */
class SlateEncoderTest {
    @TempDir
    Path dir;

    private SlateEncoder encoder() {
        return new SlateEncoder(new SessionCommands("ffmpeg"), PlainMediaProcess.starter(), dir);
    }

    @Test
    void oneSecondOfSlateAtTheAskedSizeAndRate() throws IOException {
        SlateClip clip = encoder().encode("front-door", Instant.parse("2026-11-28T07:12:05Z"), 320, 180, 25);
        assertEquals(25, clip.frames().size());
        assertEquals(3_600, clip.frameTicks());
        assertEquals(90_000, clip.loopTicks());
        assertTrue(clip.frames().get(0).keyframe());
        assertTrue(H264.hasParameterSets(clip.frames().get(0).data()));
        assertArrayEquals(new int[] {320, 180}, H264.pictureSize(clip.frames().get(0).data()));
        for (int i = 1; i < clip.frames().size(); i++) {
            assertEquals(i * 3_600L, clip.frames().get(i).dts(), "picture " + i);
            assertTrue(!clip.frames().get(i).keyframe());
        }
        long repeats = clip.frames().stream().skip(1).mapToLong(f -> f.data().length).max().orElseThrow();
        assertTrue(repeats < 200, "the still's P pictures are tiny: " + repeats + " bytes");
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count(), "the text file is removed");
        }
    }

    @Test
    void aNewSessionGetsTheUntimedSlateAndTheSilenceMadeBeforeTheTimedSlateIsMadeEachTime() {
        List<String> started = new ArrayList<>();
        MediaProcess.Starter counting = (role, command, masker) -> {
            started.add(role);
            return PlainMediaProcess.start(role, command, masker);
        };
        String name = "porch-" + System.nanoTime(); // no other test's slate
        SlateEncoder first = new SlateEncoder(new SessionCommands("ffmpeg"), counting, dir);
        SlateEncoder second = new SlateEncoder(new SessionCommands("ffmpeg"), counting, dir);
        SlateClip a = first.encode(name, null, 320, 180, 25);
        assertSame(a, second.encode(name, null, 320, 180, 25), "a second session reuses the slate");
        assertNotSame(a, second.encode(name, null, 352, 288, 25), "another size is made");
        assertNotSame(a, second.encode(name + "x", null, 320, 180, 25), "another name is made");
        second.encode(name, Instant.parse("2026-11-28T07:12:05Z"), 320, 180, 25);
        second.encode(name, Instant.parse("2026-11-28T07:12:05Z"), 320, 180, 25);
        assertEquals(List.of("slate", "slate", "slate", "slate", "slate"), started);
        byte[] silence = first.silentAacFrame();
        silence[0] = 0; // a caller's copy: what the next session gets is untouched
        assertEquals(0xFF, second.silentAacFrame()[0] & 0xFF);
    }

    @Test
    void theWordsNameTheStreamAndTheTimeLost() {
        assertEquals("front-door\nCamera offline\nsince 2026-11-28 07:12:05 UTC",
                SlateEncoder.text("front-door", Instant.parse("2026-11-28T07:12:05.9Z")));
        assertEquals("front-door\nCamera offline", SlateEncoder.text("front-door", null));
    }

    @Test
    void silenceIsOneAacFrameInTheSessionFormat() {
        byte[] frame = encoder().silentAacFrame();
        assertEquals(SessionCommands.AUDIO_RATE, Adts.sampleRate(frame, 0));
        assertEquals(SessionCommands.AUDIO_CHANNELS, Adts.channels(frame, 0));
        assertEquals(frame.length, Adts.frameLength(frame, 0));
    }
}

package stream.core.session;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import stream.core.SecretMasker;

/**
 * Makes the slate and the silence with ffmpeg, once each time they are needed (a second of a still picture at
 * veryfast takes a fraction of a second of one core), and returns them as frames for the splicer.
 */
public final class SlateEncoder {
    private static final DateTimeFormatter LOST_AT =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

    private static final SecretMasker NO_SECRETS = SecretMasker.forUrls();

    /**
     * What was made before, by everything that decides the output: each new session (a start, a restart, a change
     * of destination) needs the silence and the untimed slate before its publisher starts, and making them again
     * cost 0.8 to 1.1 s of that start here. A timed slate (with the time the camera was lost) is made each time.
     * Bounded: a few streams' slates at a few sizes.
     */
    private static final int REMEMBERED_SLATES = 16;
    private static final Map<String, SlateClip> MADE_SLATES = Collections.synchronizedMap(
            new LinkedHashMap<>(REMEMBERED_SLATES, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, SlateClip> eldest) {
                    return size() > REMEMBERED_SLATES;
                }
            });
    private static final Map<List<String>, byte[]> MADE_SILENCE = new ConcurrentHashMap<>();

    private final SessionCommands commands;
    private final MediaProcess.Starter starter;
    private final Path workDir;

    /** @param workDir a folder of this appliance's own where the slate's text file is written */
    public SlateEncoder(SessionCommands commands, MediaProcess.Starter starter, Path workDir) {
        this.commands = commands;
        this.starter = starter;
        this.workDir = workDir;
    }

    /** The words on the slate: the stream's name, that its camera is offline and, when known, since when. */
    static String text(String streamName, Instant lostAt) {
        return streamName + "\nCamera offline" + (lostAt == null ? "" : "\nsince " + LOST_AT.format(lostAt));
    }

    /** Encodes one loop of the slate (an untimed one only once per process); throws when ffmpeg fails. */
    public SlateClip encode(String streamName, Instant lostAt, int width, int height, int fps) {
        if (lostAt != null) {
            return make(streamName, lostAt, width, height, fps);
        }
        String key = String.join("\n", commands.slate(width, height, fps, workDir.resolve("slate.txt"),
                SessionCommands.defaultFont())) + "\n" + streamName;
        SlateClip made = MADE_SLATES.get(key);
        if (made == null) {
            made = make(streamName, null, width, height, fps);
            MADE_SLATES.put(key, made);
        }
        return made;
    }

    private SlateClip make(String streamName, Instant lostAt, int width, int height, int fps) {
        Path textFile;
        try {
            Files.createDirectories(workDir);
            textFile = Files.createTempFile(workDir, "slate", ".txt");
            Files.writeString(textFile, text(streamName, lostAt), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the slate's text in " + workDir, e);
        }
        try {
            List<MediaFrame> frames = new ArrayList<>();
            try (MediaProcess p = starter.start("slate",
                    commands.slate(width, height, fps, textFile, SessionCommands.defaultFont()), NO_SECRETS)) {
                p.stdin().close();
                new TsDemuxer(f -> {
                    if (f.isVideo()) {
                        frames.add(f);
                    }
                }).readAll(p.stdout());
                if (frames.isEmpty() || !frames.get(0).keyframe()) {
                    throw new IllegalStateException("ffmpeg made no slate: " + String.join(" | ", p.stderrTail()));
                }
            }
            long base = frames.get(0).dts();
            long frameTicks = Ts.TICKS_PER_SECOND / fps;
            List<MediaFrame> normalized = new ArrayList<>(frames.size());
            for (MediaFrame f : frames) {
                normalized.add(f.shifted(-base));
            }
            return new SlateClip(normalized, frameTicks, width, height);
        } catch (IOException e) {
            throw new UncheckedIOException("reading the slate from ffmpeg failed", e);
        } finally {
            try {
                Files.deleteIfExists(textFile);
            } catch (IOException e) {
                // a leftover text file in our own folder is harmless
            }
        }
    }

    /** One ADTS frame of silence in the session's audio format (from the middle: the encoder's first frames prime). */
    public byte[] silentAacFrame() {
        byte[] made = MADE_SILENCE.get(commands.silence());
        if (made == null) {
            made = makeSilentAacFrame();
            MADE_SILENCE.put(commands.silence(), made);
        }
        return made.clone();
    }

    private byte[] makeSilentAacFrame() {
        try (MediaProcess p = starter.start("silence", commands.silence(), NO_SECRETS)) {
            p.stdin().close();
            byte[] all;
            try (InputStream in = p.stdout()) {
                all = in.readAllBytes();
            }
            List<byte[]> frames = Adts.split(all);
            if (frames.size() < 3) {
                throw new IllegalStateException("ffmpeg made no silence: " + String.join(" | ", p.stderrTail()));
            }
            return frames.get(frames.size() / 2);
        } catch (IOException e) {
            throw new UncheckedIOException("reading silence from ffmpeg failed", e);
        }
    }
}

package stream.core.ffmpeg;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** What a user should know about a reachable camera before relaying it to YouTube, in plain sentences. */
final class ProbeAdvice {
    /** YouTube wants a keyframe every 2 s and refuses intervals above this. */
    static final double MAX_KEYFRAME_INTERVAL = 4.0;
    private static final Map<String, String> AUDIO_NAMES = Map.of(
            "pcm_mulaw", "G.711 μ-law", "pcm_alaw", "G.711 A-law", "adpcm_g726", "G.726", "adpcm_g726le", "G.726",
            "g722", "G.722", "g723_1", "G.723.1", "g729", "G.729", "mp3", "MP3", "opus", "Opus");

    private ProbeAdvice() {
    }

    static List<String> advise(ProbeReport report) {
        List<String> advice = new ArrayList<>();
        String video = report.videoCodec();
        if ("hevc".equals(video)) {
            advice.add("The camera sends H.265/HEVC, which cannot be passed through to RTMP with ffmpeg 5.1 (FLV has no "
                    + "HEVC until FFmpeg 6.1); choose a transcoding preset or set the camera to H.264.");
        } else if (video != null && !"h264".equals(video)) {
            advice.add("The camera sends " + video.toUpperCase(Locale.ROOT) + " video, which RTMP cannot carry as it "
                    + "is; choose a transcoding preset or set the camera to H.264.");
        }
        keyframeAdvice(report).ifPresent(advice::add);
        String audio = report.audioCodec();
        if (audio == null) {
            advice.add("The camera sends no audio; a silent AAC track will be added, because YouTube requires audio.");
        } else if (!"aac".equals(audio)) {
            advice.add("The camera's " + audioName(audio) + " audio will be transcoded to AAC, which YouTube "
                    + "requires.");
        }
        return advice;
    }

    private static Optional<String> keyframeAdvice(ProbeReport report) {
        if (!report.hasVideo()) {
            return Optional.empty();
        }
        Double interval = report.keyframeInterval();
        double without = report.longestWithoutKeyframe();
        String fix = "; YouTube wants one every 2 s and refuses more than 4 s: set the camera's I-frame interval (GOP) "
                + "to 2 s" + gopExample(report.fps()) + " or choose a transcoding preset.";
        if (interval != null && interval > MAX_KEYFRAME_INTERVAL) {
            return Optional.of("The camera sends a keyframe only every " + format(interval) + fix);
        }
        if (without > MAX_KEYFRAME_INTERVAL) {
            return Optional.of("The camera sent no keyframe for more than " + format(without) + fix);
        }
        if (interval == null) {
            return Optional.of("The keyframe interval could not be measured in " + format(report.videoSpan())
                    + " of video; YouTube wants a keyframe every 2 s and refuses more than 4 s, so check the camera's "
                    + "I-frame interval (GOP) if you pass its video through.");
        }
        return Optional.empty();
    }

    private static String gopExample(Double fps) {
        if (fps == null) {
            return "";
        }
        long frames = Math.round(fps * 2);
        return " (" + frames + " frames at " + number(fps) + " fps)";
    }

    private static String audioName(String codec) {
        String known = AUDIO_NAMES.get(codec);
        if (known != null) {
            return known;
        }
        return codec.startsWith("pcm_") ? "PCM" : codec.toUpperCase(Locale.ROOT);
    }

    private static String format(double seconds) {
        return number(seconds) + " s";
    }

    /** One decimal at most, none when whole: "6", "5.9", "29.97" becomes "30". */
    private static String number(double value) {
        double rounded = Math.round(value * 10) / 10.0;
        return rounded == Math.rint(rounded) ? String.valueOf((long) rounded) : String.valueOf(rounded);
    }
}

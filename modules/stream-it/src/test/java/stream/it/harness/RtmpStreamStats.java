package stream.it.harness;

/**
 * One stream of nginx-rtmp's stat page ({@code rtmp_stat all}). {@code bwIn} is bits/s averaged by
 * nginx-rtmp over 10 s windows, so it reads 0 during a stream's first seconds; {@code bytesIn}
 * is live. {@code video}/{@code audio} are null until the publisher sent codec headers.
 */
public record RtmpStreamStats(String application, String name, boolean publishing, boolean active,
                              long bytesIn, long bytesOut, long bwIn, long timeMillis, int clients,
                              Video video, Audio audio) {

    /** e.g. codec "H264", profile "Baseline", level "3.0". */
    public record Video(String codec, int width, int height, double frameRate, String profile, String level) {}

    /** e.g. codec "AAC", profile "LC", 16000 Hz, 1 channel. */
    public record Audio(String codec, int sampleRate, int channels, String profile) {}

    public boolean hasVideo() {
        return video != null;
    }

    public boolean hasAudio() {
        return audio != null;
    }
}

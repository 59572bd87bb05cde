package stream.core.ffmpeg;

/**
 * Whether this machine can run a preset, with a short reason such as "h264_nvenc: no NVIDIA GPU or driver".
 *
 * @param preset the preset's name
 * @param available whether ffmpeg here can run it
 * @param reason one short sentence for the dashboard and the log
 */
public record PresetAvailability(String preset, boolean available, String reason) {
}

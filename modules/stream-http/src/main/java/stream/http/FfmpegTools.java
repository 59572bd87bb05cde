package stream.http;

import stream.core.ffmpeg.CameraProbe;
import stream.core.ffmpeg.EncoderAvailability;
import stream.core.ffmpeg.PresetCatalog;

/** The ffmpeg-side services the API offers: presets, whether this machine can run them, the camera probe. */
public record FfmpegTools(PresetCatalog presets, EncoderAvailability encoders, CameraProbe probe) {
}

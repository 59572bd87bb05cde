package stream.core.ffmpeg;

/**
 * The ffmpeg failures the appliance recognises, each with the side at fault, whether retrying the same command can
 * help, and a plain sentence for the stream log.
 */
public enum FailureKind {
    CAMERA_UNREACHABLE(Side.CAMERA, false,
            "The camera cannot be reached (connection refused or no route): check that it is on and that the RTSP"
                    + " address and port are right."),
    CAMERA_HOST_UNKNOWN(Side.CAMERA, false,
            "The camera's host name cannot be resolved: check the RTSP address and the network's DNS."),
    CAMERA_UNAUTHORIZED(Side.CAMERA, true,
            "The camera refused the user name or password in the RTSP URL (write '@' in a password as %40)."),
    CAMERA_STREAM_NOT_FOUND(Side.CAMERA, true,
            "The camera has no stream at this RTSP path: check the path in the URL (it differs between makes)."),
    CAMERA_TIMEOUT(Side.CAMERA, false, "The camera stopped answering (timed out)."),
    CAMERA_BAD_ANSWER(Side.CAMERA, false,
            "The camera did not answer as an RTSP server should (no reply, or an error reply)."),
    CAMERA_CONNECTION_LOST(Side.CAMERA, false, "The camera closed the connection."),
    CAMERA_STREAM_MISSING(Side.CAMERA, true,
            "The camera does not send a stream the command expects (for example no audio track): probe the camera"
                    + " again."),
    DESTINATION_UNREACHABLE(Side.DESTINATION, false,
            "The RTMP server cannot be reached (connection refused or no route): the destination is down or its"
                    + " address or port is wrong."),
    DESTINATION_HOST_UNKNOWN(Side.DESTINATION, false,
            "The RTMP server's host name cannot be resolved: check the RTMP URL and the network's DNS."),
    DESTINATION_TIMEOUT(Side.DESTINATION, false, "The RTMP server stopped answering (timed out)."),
    DESTINATION_REJECTED(Side.DESTINATION, false,
            "The RTMP server refused to take the stream: check the stream key and the application path (a key"
                    + " already in use is refused too)."),
    DESTINATION_CONNECTION_LOST(Side.DESTINATION, false,
            "The RTMP server closed the connection (it may have refused the stream key, or ended the stream)."),
    CODEC_NOT_SUPPORTED_BY_FLV(Side.APPLIANCE, true,
            "ffmpeg 5.1 cannot send this codec over RTMP/FLV: transcode it (H.265 cameras need an H.264 preset) or"
                    + " switch the camera to H.264 and AAC."),
    ENCODER_NOT_FOUND(Side.APPLIANCE, true, "This ffmpeg has no such encoder: choose another preset."),
    HARDWARE_ENCODER_FAILED(Side.APPLIANCE, true,
            "The hardware encoder cannot run on this machine: choose a software (libx264) preset."),
    ENCODER_FAILED(Side.APPLIANCE, true, "The encoder could not be opened with these settings."),
    INVALID_PARAMETERS(Side.APPLIANCE, true, "ffmpeg refused the command's options: check ffmpeg_params."),
    SNAPSHOT_WRITE_FAILED(Side.APPLIANCE, true, "The preview snapshot file cannot be written.");

    /** Where a failure lies. */
    public enum Side {
        /** The RTSP source. */
        CAMERA,
        /** The RTMP destination. */
        DESTINATION,
        /** This machine: its ffmpeg, encoders, settings or disk. */
        APPLIANCE
    }

    private final Side side;
    private final boolean permanent;
    private final String sentence;

    FailureKind(Side side, boolean permanent, String sentence) {
        this.side = side;
        this.permanent = permanent;
        this.sentence = sentence;
    }

    public Side side() {
        return side;
    }

    /** Whether running the same command again will most likely fail the same way (until a setting changes). */
    public boolean permanent() {
        return permanent;
    }

    /** A plain sentence for the stream log. */
    public String sentence() {
        return sentence;
    }
}

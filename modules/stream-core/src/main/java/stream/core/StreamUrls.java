package stream.core;

/**
 * A camera URL and a destination URL, either of which may be absent (unchanged), that passed the contract's URL
 * rules: the constructor is the one check, so a {@code StreamUrls} cannot hold an invalid URL.
 */
public record StreamUrls(String rtspUrl, String rtmpUrl) {
    public StreamUrls {
        UrlValidator.requireValid(rtspUrl, rtmpUrl);
    }

    /** Both URLs required (a new stream, PUT .../config/urls). */
    public static StreamUrls both(String rtspUrl, String rtmpUrl) {
        java.util.List<FieldError> errors = new java.util.ArrayList<>();
        UrlValidator.rtspProblem(rtspUrl).ifPresent(p -> errors.add(new FieldError("rtsp_url", p)));
        UrlValidator.rtmpProblem(rtmpUrl).ifPresent(p -> errors.add(new FieldError("rtmp_url", p)));
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
        return new StreamUrls(rtspUrl, rtmpUrl);
    }

    public boolean isEmpty() {
        return rtspUrl == null && rtmpUrl == null;
    }

    @Override
    public String toString() {
        return "StreamUrls[rtspUrl=" + SecretMasker.maskUrl(rtspUrl) + ", rtmpUrl=" + SecretMasker.maskUrl(rtmpUrl) + "]";
    }
}

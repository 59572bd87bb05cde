package stream.core;

import java.util.ArrayList;
import java.util.List;

/**
 * A camera URL and a destination URL, either of which may be absent (unchanged). Built at the edge (the API's routes,
 * the control server's events) from the request's text, the only place URLs are checked; everything after takes this.
 *
 * @param rtsp the new camera, or null to keep the stored one
 * @param rtmp the new destination, or null to keep the stored one
 */
public record StreamUrls(RtspUrl rtsp, RtmpUrl rtmp) {
    /** No change. */
    public static final StreamUrls NONE = new StreamUrls(null, null);

    /**
     * Either or both URLs as text (null means "not given").
     *
     * @throws ValidationException naming every bad field, rtsp_url and rtmp_url alike
     */
    public static StreamUrls of(String rtspUrl, String rtmpUrl) {
        List<FieldError> errors = new ArrayList<>();
        RtspUrl rtsp = null;
        RtmpUrl rtmp = null;
        try {
            rtsp = rtspUrl == null ? null : new RtspUrl(rtspUrl);
        } catch (ValidationException e) {
            errors.addAll(e.errors());
        }
        try {
            rtmp = rtmpUrl == null ? null : new RtmpUrl(rtmpUrl);
        } catch (ValidationException e) {
            errors.addAll(e.errors());
        }
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
        return new StreamUrls(rtsp, rtmp);
    }

    /** Both URLs required (a new stream, PUT .../config/urls): a missing one is "is required". */
    public static StreamUrls both(String rtspUrl, String rtmpUrl) {
        List<FieldError> errors = new ArrayList<>();
        if (rtspUrl == null) {
            errors.add(new FieldError("rtsp_url", "is required"));
        }
        if (rtmpUrl == null) {
            errors.add(new FieldError("rtmp_url", "is required"));
        }
        try {
            StreamUrls urls = of(rtspUrl, rtmpUrl);
            if (errors.isEmpty()) {
                return urls;
            }
        } catch (ValidationException e) {
            errors.addAll(e.errors());
        }
        errors.sort(java.util.Comparator.comparing(error -> error.field().equals("rtsp_url") ? 0 : 1));
        throw new ValidationException(errors);
    }

    /** The camera URL's text, or null when not given. */
    public String rtspUrl() {
        return rtsp == null ? null : rtsp.value();
    }

    /** The destination URL's text, or null when not given. */
    public String rtmpUrl() {
        return rtmp == null ? null : rtmp.value();
    }

    public boolean isEmpty() {
        return rtsp == null && rtmp == null;
    }
}

#!/usr/bin/python3
"""A fake IP camera for the integration tests: GStreamer's RTSP server serving a
live H.264 test pattern (plus an optional AAC or G.711 PCMU audio track) on
127.0.0.1 only.  Started and supervised by stream.it.harness.RtspCamera.

Must run with Debian's /usr/bin/python3 (it needs the distribution's gi bindings).
"""
import argparse
import os
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtsp", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402


def log(msg):
    print("camera[%d]: %s" % (os.getpid(), msg), flush=True)


def aac_encoder():
    # voaacenc (plugins-bad) is cheap and always produces AAC-LC; avenc_aac
    # (gstreamer1.0-libav) is the fallback.  Both exist on Debian 12.
    for name in ("voaacenc", "avenc_aac"):
        if Gst.ElementFactory.find(name) is not None:
            return name
    sys.exit("camera: no AAC encoder (voaacenc/avenc_aac) installed")


def launch_line(a):
    keyint = max(1, round(a.keyframe_interval * a.fps))
    video = (
        "videotestsrc is-live=true pattern=ball "
        "! video/x-raw,width={w},height={h},framerate={fps}/1 "
        "! videoconvert "
        # zerolatency: no B-frames, no lookahead (what cameras send too);
        # key-int-max gives the requested keyframe interval.
        "! x264enc tune=zerolatency speed-preset=ultrafast bitrate={kbps} "
        "key-int-max={keyint} "
        "! video/x-h264,profile=constrained-baseline "
        # config-interval=-1: SPS/PPS before every IDR so clients joining the
        # shared media later can decode from the next keyframe.
        "! rtph264pay name=pay0 pt=96 config-interval=-1"
    ).format(w=a.width, h=a.height, fps=a.fps, kbps=a.bitrate, keyint=keyint)
    if a.audio == "none":
        audio = ""
    elif a.audio == "aac":
        audio = (
            " audiotestsrc is-live=true wave=sine freq=440 volume=0.2 "
            "! audioconvert ! audioresample "
            "! audio/x-raw,rate={rate},channels=1 "
            "! {enc} bitrate=32000 "
            # RFC 3640 (mpeg4-generic, AAC-hbr): what IP cameras use.
            "! rtpmp4gpay name=pay1 pt=97"
        ).format(rate=a.audio_rate, enc=aac_encoder())
    elif a.audio == "pcmu":
        audio = (
            " audiotestsrc is-live=true wave=sine freq=440 volume=0.2 "
            "! audioconvert ! audioresample "
            "! audio/x-raw,rate=8000,channels=1 "
            "! mulawenc ! rtppcmupay name=pay1 pt=0"
        )
    else:
        sys.exit("camera: unknown audio kind " + a.audio)
    return "( " + video + audio + " )"


def install_auth(server, factory, a):
    auth = GstRtspServer.RTSPAuth()
    token = GstRtspServer.RTSPToken()
    token.set_string(GstRtspServer.RTSP_TOKEN_MEDIA_FACTORY_ROLE, "viewer")
    if a.auth_method == "basic":
        # make_basic base64-encodes "user:password" itself, so '@' or ':' in
        # the password are fine (the client splits at the first ':').
        auth.add_basic(GstRtspServer.RTSPAuth.make_basic(a.user, a.password), token)
        auth.set_supported_methods(GstRtsp.RTSPAuthMethod.BASIC)
    else:
        auth.add_digest(a.user, a.password, token)
        auth.set_supported_methods(GstRtsp.RTSPAuthMethod.DIGEST)
    server.set_auth(auth)
    perms = GstRtspServer.RTSPPermissions()
    perms.add_permission_for_role("viewer", GstRtspServer.RTSP_PERM_MEDIA_FACTORY_ACCESS, True)
    perms.add_permission_for_role("viewer", GstRtspServer.RTSP_PERM_MEDIA_FACTORY_CONSTRUCT, True)
    factory.set_permissions(perms)


_kept = []


def configure_media(factory, media):
    """Make the shared media behave like a real camera's stream: not seekable (see
    make_unseekable) and prepared for the camera's whole life, like an always-running encoder.
    Otherwise the last client leaving unprepares it, and a client arriving during those few
    milliseconds gets "503 Service Unavailable" (the factory still hands out the unpreparing
    media) - e.g. ffmpeg right after an ffprobe."""

    def on_prepared(m):
        if m not in _kept:
            _kept.append(m)
            # An extra prepare() on a prepared media only bumps its prepare count, so the
            # clients' unprepare() calls never bring it down to zero.
            m.prepare(None)
            log("media prepared and kept")

    media.connect("prepared", on_prepared)
    make_unseekable(media)


def refuse_seeking(pad, info):
    query = info.get_query()
    if query.type == Gst.QueryType.SEEKING:
        query.set_seeking(Gst.Format.TIME, False, 0, -1)
        return Gst.PadProbeReturn.HANDLED
    return Gst.PadProbeReturn.OK


def make_unseekable(media):
    """ffmpeg PLAYs with "Range: npt=0.000-".  videotestsrc claims to be seekable, so on the
    shared media GstRtspServer would turn every new client's PLAY into a flushing seek of the
    one pipeline, and every client already watching would see its timestamps restart at 0
    ("Non-monotonous DTS" in ffmpeg).  A real camera's live stream is not seekable: answer the
    SEEKING query that way at each payloader, then the server never seeks."""
    bin_ = media.get_element()
    index = 0
    while True:
        pay = bin_.get_by_name("pay%d" % index)
        if pay is None:
            break
        pay.get_static_pad("src").add_probe(Gst.PadProbeType.QUERY_UPSTREAM, refuse_seeking)
        index += 1


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--path", default="/cam1")
    p.add_argument("--user")
    p.add_argument("--password")
    p.add_argument("--auth-method", choices=["basic", "digest"], default="digest")
    p.add_argument("--audio", choices=["none", "aac", "pcmu"], default="none")
    p.add_argument("--audio-rate", type=int, default=16000)
    p.add_argument("--keyframe-interval", type=float, default=1.0)
    p.add_argument("--width", type=int, default=640)
    p.add_argument("--height", type=int, default=360)
    p.add_argument("--fps", type=int, default=25)
    p.add_argument("--bitrate", type=int, default=600, help="kbit/s")
    a = p.parse_args()

    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(a.port))

    factory = GstRtspServer.RTSPMediaFactory()
    line = launch_line(a)
    factory.set_launch(line)
    # One pipeline for all clients, like a real camera's encoder.
    factory.set_shared(True)
    factory.connect("media-configure", configure_media)
    if a.user is not None:
        install_auth(server, factory, a)
    server.get_mount_points().add_factory(a.path, factory)

    # attach() binds the listening socket; 0 means it failed (port in use).
    if server.attach(None) == 0:
        log("BIND FAILED on 127.0.0.1:%d" % a.port)
        sys.exit(3)

    parent = os.getppid()

    def parent_alive():
        # Safety net: if the JVM died without killing us, go away too.
        if os.getppid() != parent:
            log("parent %d gone, exiting" % parent)
            loop.quit()
            return False
        return True

    loop = GLib.MainLoop()
    GLib.timeout_add_seconds(1, parent_alive)
    log("launch: " + line)
    log("READY rtsp://127.0.0.1:%d%s audio=%s" % (a.port, a.path, a.audio))
    loop.run()


if __name__ == "__main__":
    main()

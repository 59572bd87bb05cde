#!/usr/bin/python3
"""A fake RTSP camera for CameraProbe's tests, served by GStreamer's RTSP server on 127.0.0.1.

Prints "READY <port>" on stdout once it listens (port 0 picks a free one, so no race with other tests),
and exits when killed or when its stdin closes (so it never outlives the test JVM).
Each client gets its own pipeline, so every probe starts on a keyframe and sees the configured GOP.
"""
import argparse
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402


def video_branch(codec, width, height, fps, gop_frames):
    source = (f"videotestsrc is-live=true pattern=ball ! "
              f"video/x-raw,width={width},height={height},framerate={fps}/1 ! videoconvert ! ")
    if codec == "h264":
        return source + (f"x264enc tune=zerolatency speed-preset=ultrafast bitrate=600 key-int-max={gop_frames} ! "
                         f"video/x-h264,profile=baseline ! rtph264pay name=pay0 pt=96 config-interval=-1")
    if codec == "h265":
        return source + (f"x265enc tune=zerolatency speed-preset=ultrafast bitrate=600 key-int-max={gop_frames} ! "
                         f"rtph265pay name=pay0 pt=96 config-interval=-1")
    raise SystemExit(f"unknown codec {codec}")


def audio_branch(audio):
    source = "audiotestsrc is-live=true wave=sine volume=0.2 ! audioconvert ! audioresample ! "
    if audio == "none":
        return ""
    if audio == "aac":
        return source + "audio/x-raw,rate=44100,channels=2 ! voaacenc bitrate=64000 ! rtpmp4gpay name=pay1 pt=97"
    if audio == "pcmu":
        return source + "audio/x-raw,rate=8000,channels=1 ! mulawenc ! rtppcmupay name=pay1 pt=0"
    raise SystemExit(f"unknown audio {audio}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--path", default="/cam")
    parser.add_argument("--codec", choices=["h264", "h265"], default="h264")
    parser.add_argument("--gop", type=float, default=2.0, help="keyframe interval in seconds")
    parser.add_argument("--fps", type=int, default=25)
    parser.add_argument("--size", default="640x360")
    parser.add_argument("--audio", choices=["none", "aac", "pcmu"], default="aac")
    parser.add_argument("--user")
    parser.add_argument("--password")
    args = parser.parse_args()

    Gst.init(None)
    width, height = args.size.split("x")
    gop_frames = max(1, round(args.gop * args.fps))
    launch = "( " + video_branch(args.codec, width, height, args.fps, gop_frames) + " " + audio_branch(args.audio) + " )"

    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(args.port))
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(launch)
    factory.set_shared(False)
    if args.user:
        auth = GstRtspServer.RTSPAuth()
        token = GstRtspServer.RTSPToken()
        token.set_string(GstRtspServer.RTSP_TOKEN_MEDIA_FACTORY_ROLE, "user")
        auth.add_basic(GstRtspServer.RTSPAuth.make_basic(args.user, args.password or ""), token)
        server.set_auth(auth)
        permissions = GstRtspServer.RTSPPermissions()
        permissions.add_permission_for_role("user", GstRtspServer.RTSP_PERM_MEDIA_FACTORY_ACCESS, True)
        permissions.add_permission_for_role("user", GstRtspServer.RTSP_PERM_MEDIA_FACTORY_CONSTRUCT, True)
        factory.set_permissions(permissions)
    server.get_mount_points().add_factory(args.path, factory)
    if server.attach(None) == 0:
        raise SystemExit("could not listen")

    loop = GLib.MainLoop()
    GLib.io_add_watch(sys.stdin.fileno(), GLib.IO_HUP | GLib.IO_IN | GLib.IO_ERR, lambda *_: loop.quit() or False)
    print(f"READY {server.get_bound_port()}", flush=True)
    loop.run()


if __name__ == "__main__":
    main()

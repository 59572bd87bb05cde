# Test camera: /cam1 (H.264 + AAC), /noaudio (H.264 only), /hevc (H.265), /pcma (H.264 + G.711 A-law); optional basic auth.
import sys, gi
gi.require_version('Gst', '1.0'); gi.require_version('GstRtspServer', '1.0')
from gi.repository import Gst, GstRtspServer, GLib
Gst.init(None)
port = sys.argv[1]; auth = len(sys.argv) > 2 and sys.argv[2] == 'auth'
server = GstRtspServer.RTSPServer(); server.set_service(port); server.set_address('127.0.0.1')
mounts = server.get_mount_points()
V = 'videotestsrc is-live=true ! video/x-raw,width=320,height=240,framerate=25/1 ! '
pipes = {
 '/cam1': '( ' + V + 'x264enc tune=zerolatency key-int-max=50 ! rtph264pay name=pay0 pt=96 audiotestsrc is-live=true ! audio/x-raw,rate=44100,channels=2 ! avenc_aac ! rtpmp4gpay name=pay1 pt=97 )',
 '/noaudio': '( ' + V + 'x264enc tune=zerolatency key-int-max=50 ! rtph264pay name=pay0 pt=96 )',
 '/hevc': '( ' + V + 'x265enc tune=zerolatency key-int-max=50 ! rtph265pay name=pay0 pt=96 )',
 '/pcma': '( ' + V + 'x264enc tune=zerolatency key-int-max=50 ! rtph264pay name=pay0 pt=96 audiotestsrc is-live=true ! audio/x-raw,rate=8000,channels=1 ! alawenc ! rtppcmapay name=pay1 pt=8 )',
}
for path, launch in pipes.items():
    f = GstRtspServer.RTSPMediaFactory(); f.set_launch(launch); f.set_shared(True)
    if auth:
        p = GstRtspServer.RTSPPermissions(); p.add_permission_for_role('user', 'media.factory.access', True)
        p.add_permission_for_role('user', 'media.factory.construct', True); f.set_permissions(p)
    mounts.add_factory(path, f)
if auth:
    a = GstRtspServer.RTSPAuth(); t = GstRtspServer.RTSPToken(); t.set_string('media.factory.role', 'user')
    a.add_basic(GstRtspServer.RTSPAuth.make_basic('admin', 'rightpw'), t); server.set_auth(a)
server.attach(None)
print('ready', flush=True)
GLib.MainLoop().run()

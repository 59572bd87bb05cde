#!/bin/bash
# Test inputs used below (made with ffmpeg):
#   in_av.mkv:   testsrc2 640x360@25 + sine 48 kHz, 6 s, libx264 -g 50 + aac
#   in_long.mkv: testsrc2 640x360@25, 25 s, libx264 -g 50
#   opus.mkv:    testsrc2 320x240@25 + sine, 2 s, libx264 + libopus
# Captures ffmpeg 5.1 stderr/progress fixtures against loopback servers:
#   rtsp_server.py 18555 (no auth), 18556 (auth admin:rightpw); nginx-rtmp on 19350 (live: on_publish accepts "goodkey",
#   denied: deny publish all, open: no checks); nothing listens on port 1.
FX=/tmp/ff/fx
G="-hide_banner -loglevel level+info -nostats -y"
RTSPIN="-rtsp_transport tcp -timeout 5000000 -fflags +genpts"
SIL="-f lavfi -i anullsrc=r=44100:cl=stereo"
X264="-c:v libx264 -preset veryfast -b:v 1000k -maxrate 1000k -bufsize 2000k -g 50 -c:a aac -b:a 128k -ar 44100"
cap() { name=$1; shift; timeout 60 ffmpeg $G "$@" > /dev/null 2> $FX/stderr-$name.txt; echo "$name rc=$?"; }
cap rtsp-connection-refused $RTSPIN -i rtsp://admin:secretpw@127.0.0.1:1/cam1 -map 0:v:0 -map 0:a:0 -c:v copy -c:a aac -f flv rtmp://127.0.0.1:19350/live/goodkey
cap rtsp-host-unknown $RTSPIN -i rtsp://admin:secretpw@camera.invalid:554/cam1 -map 0:v:0 -map 0:a:0 -c:v copy -c:a aac -f flv rtmp://127.0.0.1:19350/live/goodkey
cap rtsp-401 $RTSPIN -i rtsp://admin:wrongpw@127.0.0.1:18556/cam1 -map 0:v:0 -map 0:a:0 -c:v copy -c:a aac -f flv rtmp://127.0.0.1:19350/live/goodkey
cap rtsp-404 $RTSPIN -i rtsp://127.0.0.1:18555/wrongpath -map 0:v:0 -map 0:a:0 -c:v copy -c:a aac -f flv rtmp://127.0.0.1:19350/live/goodkey
/usr/bin/python3 $(dirname "$0")/silent_server.py 18554 & SP=$!; sleep 0.5
cap rtsp-no-answer $RTSPIN -i rtsp://127.0.0.1:18554/cam1 -map 0:v:0 -map 0:a:0 -c:v copy -c:a aac -f flv rtmp://127.0.0.1:19350/live/goodkey
cap rtmp-handshake-timeout -re -i /tmp/ff/in_av.mkv -map 0:v:0 -map 0:a:0 -c:v copy -c:a aac -rw_timeout 5000000 -f flv rtmp://127.0.0.1:18554/live/mysecretkey123
kill $SP
cap rtsp-no-audio-track $RTSPIN -i rtsp://127.0.0.1:18555/noaudio -map 0:v:0 -map 0:a:0 -c:v copy -c:a aac -f flv rtmp://127.0.0.1:19350/live/goodkey
cap hevc-passthrough-flv $RTSPIN -i rtsp://127.0.0.1:18555/hevc $SIL -map 0:v:0 -map 1:a:0 -c:v copy -c:a aac -shortest -f flv rtmp://127.0.0.1:19350/live/goodkey
cap opus-copy-flv -i /tmp/ff/opus.mkv -map 0:v:0 -map 0:a:0 -c:v copy -c:a copy -f flv /tmp/ff/o.flv
cap rtmp-connection-refused $RTSPIN -i rtsp://127.0.0.1:18555/cam1 -map 0:v:0 -map 0:a:0 -c:v copy -c:a aac -f flv rtmp://127.0.0.1:1/live2/mysecretkey123
cap rtmp-host-unknown $RTSPIN -i rtsp://127.0.0.1:18555/cam1 -map 0:v:0 -map 0:a:0 -c:v copy -c:a aac -f flv rtmp://a.rtmp.invalid/live2/mysecretkey123
cap rtmp-publish-refused-on-publish $RTSPIN -i rtsp://127.0.0.1:18555/cam1 -map 0:v:0 -map 0:a:0 -c:v copy -c:a aac -f flv rtmp://127.0.0.1:19350/live/wrongkey123
cap rtmp-app-not-found $RTSPIN -i rtsp://127.0.0.1:18555/cam1 -map 0:v:0 -map 0:a:0 -c:v copy -c:a aac -f flv rtmp://127.0.0.1:19350/nosuchapp/anykey1234
cap rtmp-publish-denied $RTSPIN -i rtsp://127.0.0.1:18555/cam1 -map 0:v:0 -map 0:a:0 -c:v copy -c:a aac -t 3 -f flv rtmp://127.0.0.1:19350/denied/anykey1234
timeout 60 ffmpeg -hide_banner -loglevel error -nostats -y -re -i /tmp/ff/in_long.mkv $SIL -map 0:v:0 -map 1:a:0 -c:v copy -c:a aac -f flv rtmp://127.0.0.1:19350/open/samekey1234 & FP=$!; sleep 2
cap rtmp-already-publishing $RTSPIN -i rtsp://127.0.0.1:18555/cam1 -map 0:v:0 -map 0:a:0 -c:v copy -c:a aac -f flv rtmp://127.0.0.1:19350/open/samekey1234
kill $FP; wait $FP 2>/dev/null
S="-f lavfi -i testsrc2=size=320x240:rate=25 $SIL -t 1 -map 0:v:0 -map 1:a:0"
cap encoder-v4l2m2m-no-device $S -c:v h264_v4l2m2m -num_capture_buffers 256 -num_output_buffers 512 -pix_fmt yuv420p -c:a aac -f flv /tmp/ff/o.flv
cap encoder-nvenc-no-cuda $S -c:v h264_nvenc -c:a aac -f flv /tmp/ff/o.flv
cap encoder-vaapi-no-device $S -vaapi_device /dev/dri/renderD128 -vf format=nv12,hwupload -c:v h264_vaapi -c:a aac -f flv /tmp/ff/o.flv
cap encoder-unknown $S -c:v h264_foo -c:a aac -f flv /tmp/ff/o.flv
cap option-stimeout -rtsp_transport tcp -stimeout 5000000 -i rtsp://127.0.0.1:18555/cam1 -c copy -f flv /tmp/ff/o.flv
cap filter-with-copy $RTSPIN -i rtsp://127.0.0.1:18555/cam1 -map 0:v:0 -map 0:a:0 -c:v copy -vf scale=1920:1080 -c:a aac -f flv /tmp/ff/o.flv
cap snapshot-dir-missing -re -i /tmp/ff/in_av.mkv -map 0:v:0 -map 0:a:0 -c:v copy -c:a aac -f flv /tmp/ff/o.flv -map 0:v:0 -vf "select='isnan(prev_selected_t)+gte(t-prev_selected_t\,10)',scale=640:-2" -fps_mode vfr -update 1 -atomic_writing 1 -f image2 /tmp/ff/nodir/snapshot.jpg
# a camera that stops answering mid-stream (SIGSTOP) and one that goes away (killed)
/usr/bin/python3 $(dirname "$0")/rtsp_server.py 18558 > /dev/null 2>&1 & CP=$!; sleep 1.5
( cap rtsp-stalled-midstream $RTSPIN -i rtsp://127.0.0.1:18558/cam1 -map 0:v:0 -map 0:a:0 -c:v copy -c:a aac -f flv /tmp/ff/o5.flv ) & WP=$!
sleep 4; kill -STOP $CP; wait $WP; kill -CONT $CP; kill $CP
/usr/bin/python3 $(dirname "$0")/rtsp_server.py 18559 > /dev/null 2>&1 & CP=$!; sleep 1.5
( cap rtsp-camera-gone-midstream $RTSPIN -i rtsp://127.0.0.1:18559/cam1 -map 0:v:0 -map 0:a:0 -c:v copy -c:a aac -f flv /tmp/ff/o6.flv ) & WP=$!
sleep 4; kill $CP; wait $WP
# progress output of healthy runs (stdout) with their stderr
timeout 60 ffmpeg $G -progress pipe:1 -re -f lavfi -i testsrc2=size=320x240:rate=25 -f lavfi -i sine -t 5 -map 0:v:0 -map 1:a:0 -c:v libx264 -c:a aac -f flv /tmp/ff/x.flv > $FX/progress-libx264-5s.txt 2> $FX/stderr-ok-libx264-5s.txt; echo "progress1 rc=$?"
timeout 60 ffmpeg $G -progress pipe:1 $RTSPIN -thread_queue_size 512 -skip_frame nokey -t 6 -i rtsp://127.0.0.1:18555/cam1 -map 0:v:0 -map 0:a:0 -c:v copy -c:a aac -flvflags no_duration_filesize -rw_timeout 10000000 -f flv rtmp://127.0.0.1:19350/live/goodkey -map 0:v:0 -vf "select='isnan(prev_selected_t)+gte(t-prev_selected_t\,10)',scale=640:-2" -fps_mode vfr -update 1 -atomic_writing 1 -f image2 /tmp/ff/snap.jpg > $FX/progress-copy-rtmp-snapshot.txt 2> $FX/stderr-ok-copy-rtmp-snapshot.txt; echo "progress2 rc=$?"
timeout 60 ffmpeg $G -progress pipe:1 $RTSPIN -t 4 -i rtsp://127.0.0.1:18555/noaudio $SIL -map 0:v:0 -map 1:a:0 $X264 -shortest -flvflags no_duration_filesize -rw_timeout 10000000 -f flv rtmp://127.0.0.1:19350/live/goodkey > $FX/progress-libx264-anullsrc-rtmp.txt 2> $FX/stderr-ok-libx264-anullsrc-rtmp.txt; echo "progress3 rc=$?"

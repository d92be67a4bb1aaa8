#!/usr/bin/env bash
# Generates sample meeting recordings in Zoom's local-recording layout
# (`YYYY-MM-DD HH.MM.SS Topic MEETINGID/video1.mp4`): speech-like tones with a silent head and
# tail, and one blank (too short) recording. Usage: scripts/sample-recordings.sh DIR
set -euo pipefail

dir=${1:?usage: $0 DIR}
mkdir -p "$dir"
command -v ffmpeg >/dev/null || { echo "ffmpeg is needed (apt-get install ffmpeg)" >&2; exit 1; }

# make NAME HOURS_AGO HEAD_SILENCE TONE TAIL_SILENCE
make() {
    local topic=$1 ago=$2 head=$3 tone=$4 tail=$5
    local stamp folder total
    stamp=$(date -d "-${ago} hours" '+%Y-%m-%d %H.%M.%S')
    folder="$dir/$stamp $topic 8$(printf '%010d' $((RANDOM * RANDOM)))"
    total=$((head + tone + tail))
    mkdir -p "$folder"
    # A 220 Hz tone whose loudness wavers three times a second, like speech, between silences.
    ffmpeg -hide_banner -loglevel error -y \
        -f lavfi -i "color=c=0x1d3557:s=320x180:r=15:d=${total}" \
        -f lavfi -i "aevalsrc='0.6*sin(2*PI*220*t)*(0.55+0.45*sin(2*PI*3*t))':s=44100:d=${tone}" \
        -filter_complex "[1:a]adelay=${head}s:all=1,apad=whole_dur=${total}[a]" \
        -map 0:v -map "[a]" -c:v libx264 -preset ultrafast -g 15 -pix_fmt yuv420p -c:a aac -shortest \
        "$folder/video1.mp4"
    echo "  $folder/video1.mp4 (${head}s silence, ${tone}s sound, ${tail}s silence)"
}

echo "generating sample recordings in $dir"
make "Algebra lecture 1" 30 8 40 6
make "Algebra lecture 2" 6 5 35 10
make "Geometry seminar" 5 6 30 6
make "Test call" 4 1 2 0

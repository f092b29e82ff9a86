#!/usr/bin/env bash
# Does training on tracked crops help? (issue 29) Generated videos become a
# frame set through `nnn label` (each plate's reading typed in as a user
# would, its start box detected, MP4 files read back through OpenCV), then
# three readers with the flagship model are compared by `nnn video-eval` on
# other generated videos: trained on degraded MNIST digits
# (blurry_frames.yaml), on the tracked crops alone (tracked_crops.yaml),
# and on the crops warm-started from the MNIST reader (train.init_from).
#   scripts/tracked-crops.sh [OUT] [VIDEOS] [SEED]   (defaults /tmp/tracked_crops 300 0)
# NNN names the binary (default build/release/bin/nnn).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-/tmp/tracked_crops}"
videos="${2:-300}"
seed="${3:-0}"
nnn="${NNN:-build/release/bin/nnn}"
mkdir -p "$out"
# Training videos show MNIST's training digits (--split train, seeds from
# 1000); video-eval's videos show its test digits: no digit image is on
# both sides.
if [[ ! -f "$out/videos/videos.tsv" ]]; then
  "$nnn" make-video experiments/blurry_frames.yaml --out "$out/videos" --videos "$videos" \
    --difficulty medium --seed 1000 --split train >/dev/null
fi
if [[ ! -d "$out/set" ]]; then
  labelled=0 refused=0
  while IFS=$'\t' read -r name reading _frames _seed; do
    [[ $name == video ]] && continue
    if "$nnn" label "$out/videos/$name/video.mp4" --plate "$reading" --out "$out/set" \
      >/dev/null 2>"$out/label.err"; then
      labelled=$((labelled + 1))
    else
      refused=$((refused + 1))
      echo "label refused $name: $(cat "$out/label.err")"
    fi
  done <"$out/videos/videos.tsv"
  echo "labelled $labelled videos, $refused refused"
fi
"$nnn" train experiments/blurry_frames.yaml seed="$seed" --out "$out/mnist_$seed" | tail -2
"$nnn" train experiments/tracked_crops.yaml seed="$seed" data.path="$out/set" \
  --out "$out/crops_$seed" | tail -2
"$nnn" train experiments/tracked_crops.yaml seed="$seed" data.path="$out/set" \
  name=tracked_crops_warm train.init_from="$out/mnist_$seed" --out "$out/warm_$seed" | tail -2
"$nnn" video-eval "$out/mnist_$seed" "$out/crops_$seed" "$out/warm_$seed" --videos 50 \
  --out "$out/eval_$seed" 2>/dev/null

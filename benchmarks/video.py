"""Seconds of video hashed per wall-clock second, Clearsight's vPDQ against the naive way, on the
same generated 720p H.264 video, in one run.

Both hash one frame per second. The naive way is what a script would do: decode every frame,
convert each to a Pillow image, and hash the sampled ones with pdqhash. Clearsight lets the
decoder skip frames nothing refers to, hashes the luma plane directly, and decodes on both
cores. Each is given the 2 cores: Clearsight through FFmpeg's threads, the naive way as two
processes each hashing one of two copies of the video.

    .venv/bin/python benchmarks/video.py [--seconds 60]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import av
import numpy as np
import pdqhash

from clearsight.config import Settings
from clearsight.hashing.vpdq import FrameHash, vpdq_frames

WIDTH, HEIGHT, FPS = 1280, 720, 30


def make_video(path: Path, seconds: int) -> None:
    """A 720p H.264 video of moving gradients and noise: something for the codec to work at."""
    rng = np.random.default_rng(1)
    y, x = np.mgrid[0:HEIGHT, 0:WIDTH]
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        for index in range(seconds * FPS):
            scene = index // (FPS * 3)
            base = ((x * (1 + scene % 5) + y * 2 + index * 6) % 256).astype(np.uint8)
            frame = np.stack([base, np.roll(base, scene * 40, axis=1), (255 - base)], axis=-1)
            frame[::8, ::8] = rng.integers(0, 255, (HEIGHT // 8, WIDTH // 8, 3), dtype=np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def naive(path: str) -> int:
    hashed, next_time = 0, 0.0
    with av.open(path) as container:
        for frame in container.decode(video=0):
            image = frame.to_image()
            if frame.time is not None and frame.time >= next_time:
                pdqhash.compute(np.asarray(image))
                hashed += 1
                next_time = frame.time + 1.0
    return hashed


def ours(path: str) -> int:
    frames: list[FrameHash] = []
    vpdq_frames(path, Settings(), frames)
    return len(frames)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        video = Path(folder) / "bench.mp4"
        make_video(video, args.seconds)
        started = time.perf_counter()
        hashed = ours(str(video))
        clearsight_seconds = time.perf_counter() - started
        copies = [str(video), str(Path(folder) / "copy.mp4")]
        os.link(video, copies[1])
        started = time.perf_counter()
        with ProcessPoolExecutor(2) as pool:
            naive_hashed = sum(pool.map(naive, copies))
        naive_seconds = (time.perf_counter() - started) / 2
    ours_rate, naive_rate = args.seconds / clearsight_seconds, args.seconds / naive_seconds
    print(f"video: {args.seconds} s of {WIDTH}x{HEIGHT} H.264 at {FPS} fps, hashing 1 frame/s, 2 cores")
    print(f"naive (decode all, Pillow, pdqhash):  {naive_rate:6.1f} s of video per s ({naive_rate / 2:5.1f}x realtime per core; {naive_hashed // 2} frames hashed)")
    print(f"clearsight vPDQ:                      {ours_rate:6.1f} s of video per s ({ours_rate / 2:5.1f}x realtime per core; {hashed} frames hashed)")
    print(f"ratio: {ours_rate / naive_rate:.2f}x")


if __name__ == "__main__":
    main()

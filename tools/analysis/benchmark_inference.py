"""Per-stage speed and memory of the streaming inference core on one video.

Runs :class:`shls.apis.VideoSegmenter` over a frame folder (default: the bundled DAVIS
``blackswan``) with a :class:`~shls.utils.stage_timer.StageTimer` and prints, per stage
(resize, superpixels, features = backbone + head, descriptors, memory_query, segment,
memory_update), milliseconds per frame and the frames/s the stage alone would allow,
then end to end frames/s (reading the frames excluded, no PNG writing) and the memory
bank's bytes after the video and per processed frame.

Examples:
    python tools/analysis/benchmark_inference.py
    python tools/analysis/benchmark_inference.py --threads 1 \
        --cfg-options model.test_cfg.working_scale=1.0
"""
import argparse
import os.path as osp
import sys
import time
import warnings
from typing import Optional, Sequence

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO_ROOT)

from shls.utils.cli import run_tool  # noqa: E402

DEMO_SEQ = osp.join(REPO_ROOT, 'demo', 'davis', 'JPEGImages', '480p', 'blackswan')
DEMO_MASK = osp.join(REPO_ROOT, 'demo', 'davis', 'Annotations', '480p', 'blackswan',
                     '00000.png')
DEFAULT_CONFIG = osp.join(REPO_ROOT, 'configs', 'shls',
                          'shls_r18-w32_slic_1xb1-1k_saliency-256_cpu_refine-stage2.py')
DEFAULT_CKPT = osp.join(REPO_ROOT, 'checkpoints',
                        'shls_r18-w32_slic_1xb1-1k_saliency-256_cpu-stage2_fp16.pth')


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Per-stage frames/s and memory of the inference core on one video.',
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument('--input', default=DEMO_SEQ, help='frame folder or video file')
    parser.add_argument('--mask', default=DEMO_MASK, help='first-frame mask')
    parser.add_argument('--config', default=DEFAULT_CONFIG, help='model config')
    parser.add_argument('--checkpoint', default=DEFAULT_CKPT,
                        help="model weights; 'none' = random weights (speed only)")
    parser.add_argument('--max-frames', type=int, default=0, help='0 = whole video')
    parser.add_argument('--warmup', type=int, default=2,
                        help='frames after the first excluded from the timing')
    parser.add_argument('--threads', type=int, default=0,
                        help='torch / OpenCV threads (0 = library default)')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--cfg-options', nargs='+', metavar='KEY=VALUE', default=[])
    parser.add_argument('--debug', action='store_true')
    return parser.parse_args(argv)


def set_threads(threads: int) -> None:
    """Limit torch and OpenCV to ``threads`` (0 leaves the defaults)."""
    import cv2
    import torch
    if threads > 0:
        torch.set_num_threads(threads)
        cv2.setNumThreads(threads)


def benchmark(args: argparse.Namespace) -> int:
    """Run the video and print the table."""
    import torch
    from shls.apis import init_segmenter, load_first_mask, open_frames
    from shls.utils.stage_timer import StageTimer
    set_threads(args.threads)
    source = open_frames(args.input)
    mask, _ = load_first_mask(args.mask)
    checkpoint = None if args.checkpoint.lower() == 'none' else args.checkpoint
    with warnings.catch_warnings():
        warnings.filterwarnings('ignore', message='init_segmenter: no checkpoint')
        segmenter = init_segmenter(args.config, checkpoint, args.device, args.cfg_options)
    timer = StageTimer()
    frames = timed = 0
    total = 0.0
    for frame in source:
        if args.max_frames and frames >= args.max_frames:
            break
        if frames == 1 + args.warmup:
            timer.reset()
        start = time.perf_counter()
        segmenter.timer = timer if frames >= 1 + args.warmup else None
        segmenter.step(frame, mask if frames == 0 else None)
        if frames >= 1 + args.warmup:
            total += time.perf_counter() - start
            timed += 1
        frames += 1
    if timed == 0:
        raise ValueError(f'only {frames} frames: need more than 1 + --warmup {args.warmup}')
    print(f'{frames} frames ({timed} timed) of {args.input}, '
          f'{torch.get_num_threads()} torch threads, device {args.device}')
    print(f'{"stage":<16}{"ms/frame":>10}{"frames/s":>10}')
    for stage, seconds in timer.seconds.items():
        ms = 1000.0 * seconds / timed
        print(f'{stage:<16}{ms:>10.1f}{1000.0 / max(ms, 1e-9):>10.1f}')
    print(f'{"end to end":<16}{1000.0 * total / timed:>10.1f}{timed / total:>10.2f}')
    bank = segmenter.memory
    print(f'memory bank: {bank.total_entries} entries, {bank.nbytes / 1e6:.2f} MB after '
          f'{frames} frames ({bank.nbytes / frames / 1e3:.1f} kB per frame)')
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    return run_tool(lambda: benchmark(args), debug=args.debug)


if __name__ == '__main__':
    sys.exit(main())

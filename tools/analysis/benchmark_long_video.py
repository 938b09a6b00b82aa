"""Stream a long synthetic video through ``VideoSegmenter.step``; report memory and speed.

The video is one DAVIS sequence played back and forth (0, 1, ..., n-1, n-2, ..., 1, 0,
1, ...) up to ``--max-frames`` frames. Each frame is read from disk when it is needed, so
the frames are never all in RAM and only the segmenter can make the process grow. At each
frame count of ``--frames`` the tool prints peak and current RSS, the memory bank's size
(entries and bytes, see :class:`~shls.models.memory.MemoryBank`) and frames/s. A flat
line from 1,000 to 10,000 frames shows the memory is bounded (per-class caps).

Examples:
    python tools/analysis/benchmark_long_video.py CONFIG CHECKPOINT
    python tools/analysis/benchmark_long_video.py CONFIG CHECKPOINT --scale 0.25 \\
        --frames 100 1000 10000 --csv work_dirs/long_video.csv \\
        --cfg-options "model.test_cfg.handcrafted={'type':'SuperpixelColourStats'}"
"""
import argparse
import os
import os.path as osp
import resource
import sys
import time
from typing import Dict, Iterator, List, Optional, Sequence

import numpy as np

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO)

from shls.utils.cli import run_tool  # noqa: E402
from shls.utils.errors import InputError  # noqa: E402

DEFAULT_FRAMES = osp.join(REPO, 'demo', 'davis', 'JPEGImages', '480p', 'blackswan')
DEFAULT_MASK = osp.join(REPO, 'demo', 'davis', 'Annotations', '480p', 'blackswan',
                        '00000.png')
COLUMNS = ('frames', 'peak RSS MB', 'RSS MB', 'bank entries', 'bank MB', 'frames/s',
           'frames/s (window)')


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Stream a long back-and-forth video through VideoSegmenter.step and '
        'print peak RSS, memory-bank size and frames/s at given frame counts.',
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument('config', help='model config')
    parser.add_argument('checkpoint', nargs='?', default=None,
                        help='weights (omitted: random initialisation, for smoke tests)')
    parser.add_argument('--sequence', default=DEFAULT_FRAMES, help='folder of frames')
    parser.add_argument('--mask', default=DEFAULT_MASK, help="mask of the sequence's frame 0")
    parser.add_argument('--frames', type=int, nargs='+', default=[100, 1000, 10000],
                        help='frame counts at which to report')
    parser.add_argument('--max-frames', type=int, default=None,
                        help='stop after this many frames (default: the largest --frames)')
    parser.add_argument('--scale', type=float, default=1.0,
                        help='resize the frames and the mask by this factor first')
    parser.add_argument('--cfg-options', nargs='+', metavar='KEY=VALUE', default=[],
                        help='config overrides, e.g. model.test_cfg.update_memory=False')
    parser.add_argument('--device', default='cpu', help='cpu, cuda, cuda:1 ...')
    parser.add_argument('--csv', help='also write the report rows to this CSV file')
    parser.add_argument('--no-progress', action='store_true', help='no tqdm progress bar')
    parser.add_argument('--debug', action='store_true',
                        help='show full tracebacks instead of one-line errors')
    args = parser.parse_args(argv)
    if not args.scale > 0:
        parser.error('--scale must be > 0')
    if min(args.frames) < 1:
        parser.error('--frames must be >= 1')
    if args.max_frames is None:
        args.max_frames = max(args.frames)
    return args


def pingpong_index(count: int, length: int) -> int:
    """Index of frame ``count`` of a sequence of ``length`` frames played back and forth."""
    if length == 1:
        return 0
    period = 2 * (length - 1)
    pos = count % period
    return pos if pos < length else period - pos


class PingPongFrames:
    """``num_frames`` RGB frames of a folder played back and forth, read lazily.

    Args:
        paths: Frame files in temporal order.
        num_frames: Length of the synthetic video.
        scale: Resize factor (area interpolation when shrinking).
    """

    #: Every frame is read into an array of its own (see shls.apis.streaming.with_next).
    stable_frames = True

    def __init__(self, paths: Sequence[str], num_frames: int, scale: float = 1.0) -> None:
        if not paths:
            raise InputError('no frame to play back and forth')
        self.paths, self.num_frames, self.scale = list(paths), int(num_frames), float(scale)

    def __len__(self) -> int:
        return self.num_frames

    def __iter__(self) -> Iterator[np.ndarray]:
        from shls.datasets.davis import read_frame
        for count in range(self.num_frames):
            yield resize(read_frame(self.paths[pingpong_index(count, len(self.paths))]),
                         self.scale, nearest=False)


def resize(image: np.ndarray, scale: float, nearest: bool) -> np.ndarray:
    """``image`` resized by ``scale`` (nearest for label maps, area / linear otherwise)."""
    if scale == 1.0:
        return image
    import cv2
    height, width = image.shape[:2]
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    interp = (cv2.INTER_NEAREST if nearest
              else cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    return cv2.resize(image, size, interpolation=interp)


def rss_bytes() -> Dict[str, int]:
    """Peak and current resident set size of this process, in bytes.

    psutil when it is installed, else ``getrusage`` (peak; KiB on Linux) and
    ``/proc/self/statm`` (current; 0 where there is no /proc).
    """
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak *= 1 if sys.platform == 'darwin' else 1024
    try:
        import psutil
    except ImportError:
        psutil = None
    if psutil is not None:
        return dict(peak=peak, current=psutil.Process().memory_info().rss)
    current = 0
    if osp.isfile('/proc/self/statm'):
        with open('/proc/self/statm') as f:
            current = int(f.read().split()[1]) * os.sysconf('SC_PAGE_SIZE')
    return dict(peak=peak, current=current)


def bank_size(segmenter) -> Dict[str, int]:
    """Entries and bytes of the segmenter's memory bank (0 for one without a bank)."""
    memory = getattr(segmenter, 'memory', None)
    if memory is None or not memory.is_fitted:
        return dict(entries=0, nbytes=0)
    return dict(entries=int(memory.total_entries), nbytes=int(memory.nbytes))


def report_row(frames: int, seconds: float, window: tuple, segmenter) -> Dict[str, float]:
    """One line of the report; ``window`` = (frames, seconds) since the last line."""
    rss, bank = rss_bytes(), bank_size(segmenter)
    mib = float(1 << 20)
    return {'frames': frames, 'peak RSS MB': rss['peak'] / mib, 'RSS MB': rss['current'] / mib,
            'bank entries': bank['entries'], 'bank MB': bank['nbytes'] / mib,
            'frames/s': frames / max(seconds, 1e-9),
            'frames/s (window)': window[0] / max(window[1], 1e-9)}


def stream(segmenter, source: PingPongFrames, mask: np.ndarray, report_at: Sequence[int],
           progress: bool = True) -> List[Dict[str, float]]:
    """Feed every frame of ``source`` to ``segmenter.step``; a report row per count."""
    from tqdm import tqdm
    from shls.apis.streaming import announce, with_next
    marks = sorted(set(c for c in report_at if c <= len(source)))
    rows: List[Dict[str, float]] = []
    segmenter.reset()
    start = last_time = time.perf_counter()
    last_count = 0
    with tqdm(total=len(source), unit='frame', disable=not progress, mininterval=5) as bar:
        for count, (frame, upcoming) in enumerate(with_next(source), start=1):
            announce(segmenter, upcoming)  # as the stream loops do (test_cfg.prefetch)
            segmenter.step(frame, mask if count == 1 else None)
            bar.update()
            if marks and count == marks[0]:
                marks.pop(0)
                now = time.perf_counter()
                rows.append(report_row(count, now - start,
                                       (count - last_count, now - last_time), segmenter))
                last_count, last_time = count, now
                bar.write(format_row(rows[-1]))
    return rows


def format_row(row: Dict[str, float]) -> str:
    """``key=value`` text of one report row."""
    return ', '.join(f'{k}={v:.2f}' if isinstance(v, float) else f'{k}={v}'
                     for k, v in row.items())


def table_text(rows: List[Dict[str, float]]) -> str:
    """The console table."""
    from prettytable import PrettyTable
    table = PrettyTable(list(COLUMNS))
    for row in rows:
        table.add_row([f'{row[c]:.2f}' if isinstance(row[c], float) else row[c]
                       for c in COLUMNS])
    return table.get_string()


def csv_text(rows: List[Dict[str, float]]) -> str:
    """The report rows as CSV."""
    lines = [','.join(COLUMNS)]
    lines += [','.join(f'{row[c]:.3f}' if isinstance(row[c], float) else str(row[c])
                       for c in COLUMNS) for row in rows]
    return '\n'.join(lines) + '\n'


def benchmark(args: argparse.Namespace) -> int:
    """Build the segmenter, stream the synthetic video, print (and save) the report."""
    from shls.apis import init_segmenter, list_frame_files, load_first_mask
    paths = list_frame_files(args.sequence)
    mask, _ = load_first_mask(args.mask)
    mask = resize(mask, args.scale, nearest=True)
    segmenter = init_segmenter(args.config, args.checkpoint, device=args.device,
                               cfg_options=args.cfg_options)
    source = PingPongFrames(paths, args.max_frames, args.scale)
    height, width = mask.shape
    print(f'{args.max_frames} frames of {width}x{height} ({len(paths)} frames of '
          f'{args.sequence} back and forth), torch threads: {_threads()}', flush=True)
    rows = stream(segmenter, source, mask, args.frames, progress=not args.no_progress)
    print(table_text(rows), flush=True)
    if args.csv:
        from shls.datasets.mask_io import atomic_write_bytes
        atomic_write_bytes(args.csv, csv_text(rows).encode())
    return 0


def _threads() -> int:
    import torch
    return torch.get_num_threads()


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    return run_tool(lambda: benchmark(args), debug=args.debug)


if __name__ == '__main__':
    sys.exit(main())

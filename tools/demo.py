"""Segment one video from its first-frame mask: palette PNGs + an overlay mp4.

Examples:
    python tools/demo.py path/to/frames/ --mask path/to/00000.png --out work_dirs/demo/clip
    python tools/demo.py clip.mp4 --mask first.png --checkpoint work_dirs/run/iter_2000.pth

INPUT is a folder of frames (JPEG / PNG, natural file-name order) or a video file. The
mask is a palette PNG of object ids (0 = background, 255 = void; a DAVIS-2016 0/255
mask is one object; an RGB mask must use DAVIS palette colours) of the first frame's
size. OUT receives ``<frame>.png`` per frame and ``overlay.mp4``; it appears only when
the whole video is done (an earlier demo output there is replaced).
"""
import argparse
import os.path as osp
import sys
import warnings

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, ROOT)

from shls.utils.cli import run_tool  # noqa: E402

DEFAULT_CONFIG = osp.join('configs', 'shls', 'shls_r18-w32_slic_1xb1-2k_saliency-256.py')


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Semi-supervised video object segmentation of one video.',
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument('input', help='folder of frames, or a video file (.mp4 ...)')
    parser.add_argument('--mask', required=True, help='object-id PNG of the first frame')
    parser.add_argument('--out', help='output folder (default: work_dirs/demo/<input name>)')
    parser.add_argument('--config', default=DEFAULT_CONFIG,
                        help='model config (relative paths also resolve against the '
                        'repository root)')
    parser.add_argument('--checkpoint', help='model weights (default: none, random weights)')
    parser.add_argument('--device', default='cpu', help='cpu, cuda, cuda:1 ...')
    parser.add_argument('--fps', type=float, default=24.0,
                        help='overlay frame rate for a frame folder (a video keeps its own)')
    parser.add_argument('--no-video', action='store_true', help='write the PNGs only')
    parser.add_argument('--cfg-options', nargs='+', metavar='KEY=VALUE', default=[],
                        help='override config keys, e.g. model.test_cfg.presegmentation=vote')
    parser.add_argument('--debug', action='store_true',
                        help='show full tracebacks instead of one-line errors')
    return parser.parse_args()


def resolve_config(path: str) -> str:
    """``path`` as given, else relative to the repository root."""
    if osp.isfile(path) or osp.isabs(path):
        return path
    candidate = osp.join(ROOT, path)
    return candidate if osp.isfile(candidate) else path


def default_out(input_path: str) -> str:
    name = osp.splitext(osp.basename(osp.normpath(input_path)))[0] or 'video'
    return osp.join('work_dirs', 'demo', name)


def demo(args: argparse.Namespace) -> int:
    """Segment the input video and report the speed."""
    from shls.apis import init_segmenter, load_first_mask, open_frames
    from shls.apis import segment_video_to_disk
    source = open_frames(args.input, args.fps)  # checks the input before any work
    load_first_mask(args.mask)
    if args.checkpoint is None:
        print('warning: no --checkpoint: the model has random weights, so the masks '
              'only show that the pipeline runs', file=sys.stderr)
    with warnings.catch_warnings():
        warnings.filterwarnings('ignore', message='init_segmenter: no checkpoint')
        segmenter = init_segmenter(resolve_config(args.config), args.checkpoint,
                                   args.device, args.cfg_options)
    out = args.out or default_out(args.input)
    result = segment_video_to_disk(segmenter, source, args.mask, out,
                                   overlay=not args.no_video)
    print(f'{result.num_frames} frames in {result.seconds:.1f} s ({result.fps:.2f} frames/s); '
          f'masks in {result.out_dir}' + (f', overlay {result.overlay}' if result.overlay
                                           else ''))
    return 0


def main() -> int:
    args = parse_args()
    return run_tool(lambda: demo(args), debug=args.debug)


if __name__ == '__main__':
    sys.exit(main())

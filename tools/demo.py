"""Segment one video from its first-frame mask: palette PNGs, an overlay mp4, a contact sheet.

Examples:
    python tools/demo.py      # the bundled DAVIS clip with the shipped CPU model, J&F printed
    python tools/demo.py path/to/frames/ --mask path/to/00000.png --out work_dirs/demo/clip
    python tools/demo.py clip.mp4 --mask first.png --checkpoint work_dirs/run/iter_2000.pth
    python tools/demo.py frames/ --mask frames_gt/00000.png --gt frames_gt/   # + J&F
    python tools/demo.py demo/davis/JPEGImages/480p/blackswan --box 127,73,510,385
    python tools/demo.py clip.mp4 --scribble strokes.png   # no mask: strokes per object

INPUT is a folder of frames (JPEG / PNG, natural file-name order; colliding or ambiguous
names are an error, see shls.datasets.frame_order) or a video file. The mask is a palette
PNG of object ids (0 = background, 255 = void; a DAVIS-2016 0/255 mask is one object; a
grayscale mask that is neither 0/255 nor a few small ids, e.g. saved as JPEG, is one
object at value >= 128, with a warning; an RGB mask must use DAVIS palette colours) of the
first frame's size. Instead of a mask, ``--box x0,y0,x1,y1`` (one per object, ids in
order) or ``--scribble PNG`` (a few strokes per object, 0 = unknown, 255 = background)
make the first mask (shls.models.prompts: GrabCut seeded by the prompt and the model's
features, snapped to superpixels). OUT receives ``<frame>.png`` per frame and
``overlay.mp4`` (H.264); it appears only when the whole video is done (an earlier demo output there is replaced); then
``contact_sheet.png`` (8 frames with their masks). With ``--gt`` (annotation PNGs named
like the frames; the default for the bundled clip) J&F is printed by the DAVIS-2017
protocol (first and last annotated frames not scored).

``--mask`` may also be a folder of PNGs named like the frames (YouTube-VOS
``Annotations/<video>``): each object is taken from the PNG where it first appears.
``--format per-object`` / ``coco-rle`` write ``<frame>_<id>.png`` 0/255 masks or one COCO
RLE ``masks.json`` instead of palette PNGs. OUT may not be, contain or lie inside an input
(frames, mask, ground truth), and only an earlier demo output (it carries the ``.complete``
marker) is replaced. A rerun into an OUT that already holds this video made with the same
weights, settings and data (frame names, sizes and times, the mask's bytes) says so and
skips the segmentation (``--overwrite`` redoes it); a killed run leaves no OUT (its
temporary folder is removed by the next run), so the video is simply segmented again.
"""
import argparse
import math
import os
import os.path as osp
import sys
import warnings
from typing import Optional

import cv2
import numpy as np

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, ROOT)

from shls.apis.shipped_model import MODEL_CHOICES  # noqa: E402
from shls.deployment.precision import precision_name  # noqa: E402
from shls.evaluation.video_score import has_annotations, score_video  # noqa: E402
from shls.utils.cli import (add_engine_args, add_mask_output_args, engine_args,  # noqa: E402
                            run_tool)
from shls.utils.errors import ConfigError, InputError, InputNotFoundError  # noqa: E402
from shls.utils.prompt_cli import (add_prompt_args, check_prompt_args,  # noqa: E402
                                   prompt_first_mask, prompt_given)
from shls.utils.shipped import (DEMO_ANNOTATIONS, DEMO_FIRST_MASK, DEMO_FRAMES,  # noqa: E402
                               REPO_ROOT)

#: The bundled clip, its first mask and ground truth, and the shipped CPU model.
DEFAULT_INPUT, DEFAULT_GT, DEFAULT_MASK = DEMO_FRAMES, DEMO_ANNOTATIONS, DEMO_FIRST_MASK
SHEET_NAME = 'contact_sheet.png'
#: The fastest engine that keeps the accuracy on the CPUs measured (README, "Speed").
DEFAULT_BACKEND = 'auto'  # pytorch on CUDA; on a CPU the faster of pytorch / onnxruntime
# (the ONNX Runtime engine in float32: its int8 export loses ~2 J&F on DAVIS with the
# accurate model, opt in with --int8; PyTorch's int8 backbone is test_cfg.int8:
# 'auto_float32' in the accurate model's settings, int8 where a probe measures it faster
# than float32; 'auto' in the fast model's, also in place of bfloat16)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Semi-supervised video object segmentation of one video.',
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument('input', nargs='?',
                        help='folder of frames, or a video file (.mp4 ...); default: the '
                        'bundled DAVIS clip (demo/davis, blackswan) with its mask and '
                        'ground truth')
    parser.add_argument('--mask', help='object-id PNG of the first frame (required with '
                        'INPUT), or a folder of PNGs named like the frames, each object '
                        'taken where it first appears (YouTube-VOS Annotations/<video>)')
    parser.add_argument('--gt', help='folder of ground-truth PNGs named like the frames: '
                        'print J&F')
    parser.add_argument('--out', help='output folder (default: work_dirs/demo/<input name>)')
    parser.add_argument('--model', choices=MODEL_CHOICES, default='auto',
                        help='shipped model when no --config / --checkpoint is given: '
                        'accurate (half width), fast (quarter width: ~2.5x faster, 6-7 J&F '
                        'less) or auto (accurate on CUDA, on CPUs where its backbone runs '
                        'faster in bfloat16 or int8 than in float32, e.g. AVX-512 BF16 and '
                        'AVX2 ones, and with --box / --scribble; fast elsewhere)')
    parser.add_argument('--config',
                        help='model config (relative paths also resolve against the '
                        'repository root; default: that of --model)')
    parser.add_argument('--checkpoint',
                        help="model weights; 'none' = random weights (default: those of "
                        "--model)")
    parser.add_argument('--device', default='auto',
                        help='auto (CUDA when available, else the CPU), cpu, cuda, cuda:1 ...')
    parser.add_argument('--fps', type=positive_fps, default=24.0,
                        help='overlay frame rate for a frame folder (a video keeps its own)')
    parser.add_argument('--no-video', action='store_true', help='write the PNGs only')
    add_mask_output_args(parser)
    parser.add_argument('--overwrite', action='store_true',
                        help='segment again even if OUT already holds this video made with '
                        'the same weights and settings')
    parser.add_argument('--cfg-options', nargs='+', metavar='KEY=VALUE', default=[],
                        help='override config keys, e.g. model.test_cfg.presegmentation=vote')
    parser.add_argument('--debug', action='store_true',
                        help='show full tracebacks instead of one-line errors')
    add_engine_args(parser, DEFAULT_BACKEND)
    add_prompt_args(parser)
    args = parser.parse_args()
    check_prompt_args(parser, args)
    if args.input is None:
        args.input = DEFAULT_INPUT
        args.mask = args.mask or (None if prompt_given(args) else DEFAULT_MASK)
        args.gt = args.gt or DEFAULT_GT
    elif args.mask is None and not prompt_given(args):
        parser.error('--mask (or --box / --scribble) is required when INPUT is given')
    return args


def pick_model(args: argparse.Namespace, device: str) -> str:
    """Fill ``--config`` / ``--checkpoint`` from ``--model`` (``auto``: by the device and
    this CPU's bfloat16 and int8 speed, :func:`~shls.apis.shipped_model.choose_shipped_model`;
    the accurate model with ``--amp``, a box or a scribble, or beside a given config or
    checkpoint). Returns the name of the shipped model used, or ``'custom'``."""
    from shls.apis.shipped_model import choose_shipped_model
    choice = args.model
    if choice == 'auto' and (args.config or args.checkpoint or args.amp or prompt_given(args)):
        # the former default beside a custom part, forced bfloat16, or a box / scribble
        # (the fast model's features place boxed objects worse: README)
        choice = 'accurate'
    shipped = choose_shipped_model(choice, device, args.backend)
    name = shipped.name if not (args.config or args.checkpoint) else 'custom'
    args.config = args.config or osp.relpath(shipped.config, REPO_ROOT)
    args.checkpoint = args.checkpoint or shipped.checkpoint
    if args.checkpoint.lower() == 'none':
        args.checkpoint = None
    return name


def positive_fps(text: str) -> float:
    """``--fps``: a finite number > 0 (argparse type)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f'expected a number, got {text!r}') from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f'must be a finite number > 0, got {text!r}')
    return value


def resolve_config(path: str) -> str:
    """``path`` as given, else relative to the repository root."""
    if osp.isfile(path) or osp.isabs(path):
        return path
    candidate = osp.join(ROOT, path)
    return candidate if osp.isfile(candidate) else path


def resolve_device(args: argparse.Namespace) -> str:
    """``--device`` (``auto``: CUDA when available, else the CPU); one line for a device
    this machine lacks (cuda, mps, ...)."""
    from shls.apis.inference import _check_device
    device = str(_check_device(args.device))
    if args.backend == 'onnxruntime' and not device.startswith('cpu'):
        raise ConfigError(f'--backend onnxruntime runs on the CPU, not {device}')
    return device


def describe_engine(segmenter) -> str:
    """``pytorch (float32)`` / ``pytorch (int8)`` / ``onnxruntime (<file>)`` for the
    start-up line."""
    path = getattr(segmenter.model.backbone, 'path', None)
    if path is not None:
        return f'onnxruntime ({osp.basename(path)})'
    dtype = segmenter.autocast_dtype
    precision = precision_name(dtype)
    if segmenter.int8:
        return f'pytorch (int8{"" if dtype is None else f", {precision} heads"})'
    return f'pytorch ({precision})'


def default_out(input_path: str) -> str:
    name = osp.splitext(osp.basename(osp.normpath(input_path)))[0] or 'video'
    return osp.join('work_dirs', 'demo', name)


def check_inputs(source, args: argparse.Namespace, out: str) -> None:
    """Every input check that needs no model, before any work: the output apart from the
    inputs, the first frame's size, the first mask, and the ground truth (sizes, names).

    Raises:
        ValueError, FileNotFoundError: One line naming the file.
    """
    from shls.apis import load_first_mask
    from shls.apis.frame_source import check_frame_size
    from shls.utils.fs import check_output_apart, check_writable
    check_writable(out, 'output folder (--out)')
    check_output_apart(out, {'input frames': args.input, 'mask': args.mask,
                             'scribble': args.scribble,
                             'ground truth': args.gt, 'checkpoint': args.checkpoint,
                             'config': resolve_config(args.config), 'ONNX file': args.onnx,
                             'calibration frames': args.calib}, '--out')
    if args.gt is not None and args.format != 'palette':
        raise ConfigError(f'--gt scores palette PNGs: drop --format {args.format}')
    if args.gt is not None and not has_annotations(args.gt):
        raise InputNotFoundError(f'--gt: no annotation PNG in {args.gt}')
    frame = next(iter(source), None)
    if frame is None:
        raise InputError(f'no frame in {source.name}')
    check_frame_size(frame, source.describe(0))
    height, width = frame.shape[:2]
    if args.mask is not None and not osp.isdir(args.mask):  # a folder: checked per frame
        mask, name = load_first_mask(args.mask)
        if mask.shape != (height, width):
            raise InputError(f'first mask is {mask.shape[1]}x{mask.shape[0]} but the frames '
                             f'of {source.name} are {width}x{height}: {name}')
    if args.gt is not None:
        check_ground_truth(args.gt, source, (width, height))


def check_ground_truth(gt_dir: str, source, size) -> None:
    """``--gt`` has at least 3 PNGs, each naming a frame of ``source`` and of the frames'
    ``(W, H)`` (read from the PNG headers only)."""
    from PIL import Image, UnidentifiedImageError
    names = {source.frame_name(i) for i in range(len(source))}
    annotations = sorted(n for n in os.listdir(gt_dir) if n.endswith('.png'))
    if len(annotations) < 3:
        raise InputError(f'--gt: {len(annotations)} annotation PNGs in {gt_dir}; at least 3 '
                         'are needed (first and last are not scored)')
    for name in annotations:
        path = osp.join(gt_dir, name)
        if osp.splitext(name)[0] not in names:
            raise InputError(f'--gt: annotation {path} names no frame of {source.name}')
        try:
            with Image.open(path) as img:
                found = img.size
        except (OSError, UnidentifiedImageError) as err:
            raise InputError(f'--gt: cannot read annotation {path}: {err}') from err
        if found != tuple(size):
            raise InputError(f'--gt: annotation {path} is {found[0]}x{found[1]} but the '
                             f'frames of {source.name} are {size[0]}x{size[1]}')


def demo(args: argparse.Namespace) -> int:
    """Segment the input video, report the speed (and J&F with ``--gt``)."""
    from shls.apis import init_segmenter, open_frames
    from shls.apis import segment_video_to_disk
    source = open_frames(args.input, args.fps)  # checks the input before any work
    out = args.out or default_out(args.input)
    device = resolve_device(args)
    model_name = pick_model(args, device)
    check_inputs(source, args, out)
    if args.checkpoint is None:
        print('warning: no checkpoint: the model has random weights, so the masks '
              'only show that the pipeline runs', file=sys.stderr)
    elif not osp.isfile(args.checkpoint):
        raise InputNotFoundError(f'checkpoint not found: {args.checkpoint}')
    backend, engine = engine_args(args, osp.join(osp.dirname(osp.abspath(out)), 'onnx_cache'))
    with warnings.catch_warnings():
        warnings.filterwarnings('ignore', message='init_segmenter: no checkpoint')
        forced = dict(autocast=True) if args.amp else {}
        segmenter = init_segmenter(resolve_config(args.config), args.checkpoint, device,
                                   args.cfg_options, backend, engine, **forced)
    print(f'model {model_name} ({args.config}), device {device}, backbone on '
          f'{describe_engine(segmenter)}')
    first = prompt_first_mask(args, next(iter(source)), segmenter)
    if first is not None:
        print(f'first mask from the {"boxes" if args.box else "scribble"}: '
              f'{len(np.unique(first[first > 0]))} objects')
    result = segment_video_to_disk(segmenter, source, args.mask if first is None else first,
                                   out, overlay=not args.no_video, fmt=args.format,
                                   resume=not args.overwrite)
    if result.skipped:
        print(f'already done: {result.out_dir} holds this video segmented with the same '
              'weights and settings (--overwrite to segment it again)')
    else:
        print(f'{result.num_frames} frames in {result.seconds:.1f} s ({result.fps:.2f} '
              f'frames/s, PNG writing included); masks in {result.out_dir}'
              + (f', overlay {result.overlay}' if result.overlay else ''))
    sheet = write_contact_sheet(open_frames(args.input, args.fps), result.out_dir,
                                fmt=args.format, num_frames=result.num_frames)
    print(f'contact sheet: {sheet}')
    if args.gt is not None:
        scores = score_video(result.out_dir, args.gt, osp.basename(osp.normpath(args.input)))
        print('J&F {:.2f}  J {:.2f}  F {:.2f}  (DAVIS-2017 protocol, against {})'.format(
            100 * scores['J&F-Mean'], 100 * scores['J-Mean'], 100 * scores['F-Mean'],
            args.gt))
    return 0


def write_contact_sheet(source, out_dir: str, count: int = 8, fmt: str = 'palette',
                        num_frames: Optional[int] = None) -> str:
    """``out_dir/contact_sheet.png``: ``count`` evenly spaced frames with their masks
    (of ``num_frames``, default ``len(source)``, read back in format ``fmt``)."""
    from shls.datasets.mask_formats import prediction_loader
    from shls.datasets.mask_io import atomic_write_bytes
    from shls.visualization import contact_sheet, pick_evenly
    load = prediction_loader(out_dir, fmt)
    total = len(source) if num_frames is None else num_frames
    wanted = set(pick_evenly(total, count).tolist())
    frames, masks, labels = [], [], []
    for index, frame in enumerate(source):
        if index > max(wanted, default=-1):
            break  # no need to decode the rest of a long video
        if index in wanted:
            frames.append(frame)
            masks.append(load(source.frame_name(index)))
            labels.append(source.frame_name(index))
    sheet = contact_sheet(frames, masks, labels)
    ok, data = cv2.imencode('.png', cv2.cvtColor(sheet, cv2.COLOR_RGB2BGR))
    if not ok:
        raise RuntimeError('could not encode the contact sheet')
    path = osp.join(out_dir, SHEET_NAME)
    atomic_write_bytes(path, data.tobytes())
    return path


def main() -> int:
    args = parse_args()
    return run_tool(lambda: demo(args), debug=args.debug)


if __name__ == '__main__':
    sys.exit(main())

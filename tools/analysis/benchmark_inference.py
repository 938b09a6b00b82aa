"""Per-stage speed of the inference core with each engine side by side (+ J&F on DAVIS).

Runs :class:`shls.apis.VideoSegmenter` over a frame folder (default: the bundled DAVIS
``blackswan``) once per engine variant and prints one table: milliseconds per frame of
every stage (resize, superpixels, features = backbone + head, descriptors,
memory_query, segment, memory_update), end-to-end frames/s (frame decoding excluded,
no PNG writing) and, with ``--davis ROOT``, J&F on every video of that DAVIS root
(DAVIS-2017 protocol, masks kept in memory). The CPU model, its vector extensions and
the thread count head the table, so figures from different machines are never mixed.

Variants: ``default`` (the config's own test settings: what ``tools/demo.py`` runs with
that model), ``pytorch-fp32`` (Winograd 3x3 convolutions through NNPACK where this
PyTorch has it and they measure faster, else oneDNN channels-last),
``pytorch-fp32-onednn`` (oneDNN only, channels-last), ``pytorch-bf16`` (autocast;
skipped where the start-up probe finds no native bfloat16, e.g. an AVX2-only CPU, where
it is several times slower), ``pytorch-int8`` (the backbone quantized in PyTorch,
``test_cfg.int8=True``), ``onnxruntime-fp32`` and ``onnxruntime-int8`` (the backbone
exported into ``--cache``).

To measure an AVX2-only CPU on a newer one, cap every kernel library (ONNX Runtime has
no such switch: it uses what the CPU has whatever these say):

Examples:
    python tools/analysis/benchmark_inference.py
    python tools/analysis/benchmark_inference.py --davis ../shared/data/davis
    ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2 FBGEMM_ENABLE_INSTRUCTIONS=AVX2 \
        python tools/analysis/benchmark_inference.py --model fast --variants default
"""
import argparse
import os
import os.path as osp
import platform
import sys
import time
import warnings
from typing import Dict, List, Optional, Sequence

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO_ROOT)

from shls.utils.cli import run_tool  # noqa: E402
from shls.utils.errors import ConfigError  # noqa: E402

from shls.utils.shipped import DEMO_FIRST_MASK as DEMO_MASK  # noqa: E402
from shls.utils.shipped import DEMO_FRAMES as DEMO_SEQ  # noqa: E402
from shls.apis.shipped_model import SHIPPED_MODELS  # noqa: E402
#: name -> (backend, ONNX Runtime int8, test_cfg overrides); ``default`` = the config's
#: own test_cfg (what tools/demo.py runs with that model).
VARIANTS = {
    'default': ('pytorch', False, {}),
    'pytorch-fp32': ('pytorch', False, dict(autocast=False, winograd=True, int8=False)),
    'pytorch-fp32-onednn': ('pytorch', False, dict(autocast=False, winograd=False, int8=False)),
    'pytorch-bf16': ('pytorch', False, dict(autocast=True, winograd=False, int8=False)),
    'pytorch-int8': ('pytorch', False, dict(autocast=False, winograd=True, int8=True)),
    'onnxruntime-fp32': ('onnxruntime', False, dict(autocast=False, int8=False)),
    'onnxruntime-int8': ('onnxruntime', True, dict(autocast=False, int8=False)),
}
CPU_FLAGS = ('avx2', 'avx512f', 'avx512_vnni', 'avx512_bf16', 'avx_vnni', 'amx_bf16')


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Per-stage ms, frames/s (and DAVIS J&F) of each inference engine.',
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument('--input', default=DEMO_SEQ, help='frame folder or video file')
    parser.add_argument('--mask', default=DEMO_MASK, help='first-frame mask')
    parser.add_argument('--model', choices=list(SHIPPED_MODELS), default='accurate',
                        help='shipped model measured when no --config / --checkpoint is '
                        'given (tools/demo.py --model auto runs the fast one only on '
                        'CPUs where neither bfloat16 nor int8 beats float32)')
    parser.add_argument('--config', help='model config (default: that of --model)')
    parser.add_argument('--checkpoint',
                        help="model weights; 'none' = random weights (speed only; "
                        "default: those of --model)")
    parser.add_argument('--variants', nargs='+', choices=list(VARIANTS),
                        default=list(VARIANTS), help='engines to compare')
    parser.add_argument('--max-frames', type=int, default=0, help='0 = whole video')
    parser.add_argument('--warmup', type=int, default=2,
                        help='frames after the first excluded from the timing')
    parser.add_argument('--threads', type=int, default=2,
                        help='torch / OpenCV / onnxruntime threads (0 = library default)')
    parser.add_argument('--davis', metavar='ROOT',
                        help='also score every video of this DAVIS root (J&F)')
    parser.add_argument('--cache', default=osp.join('work_dirs', 'onnx_cache'),
                        help='cache folder of the ONNX exports')
    parser.add_argument('--cfg-options', nargs='+', metavar='KEY=VALUE', default=[])
    parser.add_argument('--debug', action='store_true')
    args = parser.parse_args(argv)
    args.config = args.config or SHIPPED_MODELS[args.model].config
    args.checkpoint = args.checkpoint or SHIPPED_MODELS[args.model].checkpoint
    return args


def set_threads(threads: int) -> None:
    """Limit torch and OpenCV to ``threads`` (0 leaves the defaults)."""
    import cv2
    import torch
    if threads > 0:
        torch.set_num_threads(threads)
        cv2.setNumThreads(threads)


def machine_line() -> str:
    """CPU model, its relevant flags, the ISA caps in force and the thread count."""
    import torch
    model, flags = platform.processor() or 'unknown CPU', set()
    if osp.isfile('/proc/cpuinfo'):
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name') and model in ('unknown CPU', 'x86_64', ''):
                    model = line.split(':', 1)[1].strip()
                elif line.startswith('flags'):
                    flags = set(line.split(':', 1)[1].split())
    have = [f for f in CPU_FLAGS if f in flags]
    from shls.deployment.engine import ISA_CAPS
    from shls.models.superpixels.slic_core import describe_backend
    caps = [f'{k}={os.environ[k]}' for k in ISA_CAPS if k in os.environ]
    return (f'CPU: {model} [{" ".join(have) or "no AVX2"}]'
            + (f' restricted by {" ".join(caps)}' if caps else '')
            + f'; torch {torch.__version__} ({torch.backends.cpu.get_cpu_capability()}), '
            f'{torch.get_num_threads()} threads; {describe_backend()}')


def build(args: argparse.Namespace, variant: str):
    """The segmenter of one variant, or ``None`` when it does not apply here."""
    import torch

    from shls.apis import init_segmenter
    from shls.deployment.precision import probe_cpu_bfloat16
    from shls.deployment import EngineOptions
    backend, int8, test_cfg = VARIANTS[variant]
    checkpoint = None if args.checkpoint.lower() == 'none' else args.checkpoint
    engine = EngineOptions(cache_dir=args.cache, int8=int8)
    torch.manual_seed(0)  # without a checkpoint, every variant gets the same weights
    with warnings.catch_warnings():
        warnings.filterwarnings('ignore', message='init_segmenter: no checkpoint')
        warnings.filterwarnings('ignore', message='test_cfg.autocast=True')
        segmenter = init_segmenter(args.config, checkpoint, 'cpu', args.cfg_options,
                                   backend, engine, **test_cfg)
    if (test_cfg.get('autocast') is True
            and not probe_cpu_bfloat16(segmenter.model.backbone).bfloat16_faster):
        return None
    return segmenter


def time_video(segmenter, args: argparse.Namespace) -> Dict[str, float]:
    """ms per frame of each stage and end to end on ``args.input``."""
    from shls.apis import load_first_mask, open_frames
    from shls.apis.streaming import announce, with_next
    from shls.utils.stage_timer import StageTimer
    mask, _ = load_first_mask(args.mask)
    timer, frames, timed, total = StageTimer(), 0, 0, 0.0
    segmenter.reset()
    for frame, upcoming in with_next(open_frames(args.input)):
        if args.max_frames and frames >= args.max_frames:
            break
        segmenter.timer = timer if frames > args.warmup else None
        start = time.perf_counter()
        announce(segmenter, upcoming)  # as the stream loops do (test_cfg.prefetch)
        segmenter.step(frame, mask if frames == 0 else None)
        if frames > args.warmup:
            total += time.perf_counter() - start
            timed += 1
        frames += 1
    segmenter.timer = None
    if timed == 0:
        raise ConfigError(f'only {frames} frames: need more than 1 + --warmup {args.warmup}')
    row = {stage: 1000.0 * seconds / timed for stage, seconds in timer.seconds.items()}
    row['end to end'] = 1000.0 * total / timed
    return row


def davis_scores(segmenter, root: str) -> Dict[str, float]:
    """J&F, J, F (in %) of every video of a DAVIS root, predictions kept in memory."""
    from shls.apis import segment_video
    from shls.datasets.davis import DAVISDataset
    from shls.evaluation.metrics.davis_metric import (evaluate_video, global_statistics,
                                                      per_object_statistics)
    results = []
    for item in DAVISDataset(data_root=root, serialize_data=False):
        masks = dict(zip(
            [osp.splitext(osp.basename(p))[0] for p in item['frame_paths']],
            segment_video(segmenter, item['frame_paths'], item['first_mask'])))
        j, f = evaluate_video(item['seq_name'], item['mask_paths'], masks.__getitem__)
        results.append(dict(seq_name=item['seq_name'], J=j, F=f))
    stats = global_statistics(per_object_statistics(results))
    return {k: 100.0 * stats[k] for k in ('J&F-Mean', 'J-Mean', 'F-Mean')}


def print_table(rows: Dict[str, Dict[str, float]]) -> None:
    """Stages down, variants across."""
    names = list(rows)
    stages: List[str] = []
    for row in rows.values():
        stages += [s for s in row if s not in stages and s != 'end to end'
                   and not s.startswith(('J', 'F'))]
    print(f'{"ms per frame":<16}' + ''.join(f'{n:>18}' for n in names))
    for stage in stages + ['end to end']:
        print(f'{stage:<16}' + ''.join(f'{rows[n].get(stage, float("nan")):>18.1f}'
                                       for n in names))
    print(f'{"frames/s":<16}' + ''.join(f'{1000.0 / rows[n]["end to end"]:>18.2f}'
                                       for n in names))
    for key in ('J&F-Mean', 'J-Mean', 'F-Mean'):
        if any(key in row for row in rows.values()):
            print(f'{key:<16}' + ''.join(f'{rows[n].get(key, float("nan")):>18.2f}'
                                         for n in names))


def benchmark(args: argparse.Namespace) -> int:
    """Run every variant and print the table."""
    set_threads(args.threads)
    print(machine_line())
    print(f'model: {osp.basename(args.config)} ({osp.basename(args.checkpoint)})')
    rows: Dict[str, Dict[str, float]] = {}
    for variant in args.variants:
        segmenter = build(args, variant)
        if segmenter is None:
            print(f'{variant}: skipped (no native bfloat16 on this CPU: the probe measured '
                  'it slower than float32)')
            continue
        rows[variant] = time_video(segmenter, args)
        bank = segmenter.memory
        print(f'{variant}: {1000.0 / rows[variant]["end to end"]:.2f} frames/s; memory bank: '
              f'{bank.total_entries} entries, {bank.nbytes / 1e6:.2f} MB', flush=True)
        if args.davis:
            rows[variant].update(davis_scores(segmenter, args.davis))
    print_table(rows)
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    return run_tool(lambda: benchmark(args), debug=args.debug)


if __name__ == '__main__':
    sys.exit(main())

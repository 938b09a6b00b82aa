"""Turn a training checkpoint into a small release file: weights only, optionally fp16.

Examples:
    python tools/misc/publish_model.py work_dirs/run/iter_1000.pth \
        checkpoints/shls_r18-w32_slic_1xb1-1k_saliency-256_cpu_refine-stage2_fp16.pth --fp16

Drops the optimizer, the scheduler and the message hub; keeps ``state_dict`` (floating
tensors cast to fp16 with ``--fp16``; they are cast back to the model's dtype when
loaded) and ``meta`` with the source file, its iteration, its config text and the
sha256 of the weights. The output is written through a temporary file.
"""
import argparse
import hashlib
import io
import os.path as osp
import sys
from typing import Optional, Sequence

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO_ROOT)

from shls.utils.cli import run_tool  # noqa: E402


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Strip a checkpoint to its weights (optionally fp16) for release.',
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument('checkpoint', help='mmengine checkpoint written by tools/train.py')
    parser.add_argument('out', help='output .pth file')
    parser.add_argument('--fp16', action='store_true', help='store floating tensors as fp16')
    parser.add_argument('--debug', action='store_true')
    return parser.parse_args(argv)


def publish(args: argparse.Namespace) -> int:
    """Write the stripped checkpoint and print its size and hash."""
    import torch
    from shls.apis.inference import read_checkpoint
    from shls.datasets.mask_io import atomic_write_bytes
    from shls.utils.fs import check_output_apart
    check_output_apart(args.out, {'checkpoint': args.checkpoint}, 'output file')
    ckpt = read_checkpoint(args.checkpoint)
    state = ckpt.get('state_dict', ckpt)
    state = {k[len('module.'):] if k.startswith('module.') else k: v
             for k, v in state.items()}
    if args.fp16:
        state = {k: v.half() if v.is_floating_point() else v for k, v in state.items()}
    digest = hashlib.sha256()
    for key in sorted(state):
        digest.update(key.encode())
        digest.update(state[key].cpu().contiguous().numpy().tobytes())
    old_meta = ckpt.get('meta', {}) if isinstance(ckpt.get('meta'), dict) else {}
    meta = dict(source=osp.basename(args.checkpoint), iter=old_meta.get('iter'),
                cfg=old_meta.get('cfg'), seed=old_meta.get('seed'),
                dtype='float16' if args.fp16 else 'float32',
                weights_sha256=digest.hexdigest())
    buffer = io.BytesIO()
    torch.save(dict(state_dict=state, meta=meta), buffer)
    atomic_write_bytes(args.out, buffer.getvalue())
    params = sum(v.numel() for v in state.values() if v.is_floating_point())
    print(f'{args.out}: {len(buffer.getvalue()) / 1e6:.2f} MB, {params / 1e6:.2f} M '
          f'parameters, iteration {meta["iter"]}, weights sha256 {digest.hexdigest()[:12]}')
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    return run_tool(lambda: publish(args), debug=args.debug)


if __name__ == '__main__':
    sys.exit(main())

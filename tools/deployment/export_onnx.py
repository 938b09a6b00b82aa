"""Export the per-frame encoder (backbone) of a model to ONNX, float32 or int8.

Examples:
    python tools/deployment/export_onnx.py \
        configs/shls/shls_r18-w32_slic_1xb1-1k_saliency-256_cpu_refine-stage2.py \
        checkpoints/shls_r18-w32_slic_1xb1-1k_saliency-256_cpu_refine-stage2_fp16.pth \
        --out work_dirs/backbone.onnx
    python tools/deployment/export_onnx.py CONFIG CHECKPOINT --out backbone-int8.onnx \
        --int8 --calib path/to/frames/
    python tools/demo.py VIDEO --mask M.png --backend onnxruntime --onnx backbone-int8.onnx

The graph takes a normalised ``image (1, 3, H, W)`` (any H, W) and returns the
backbone's maps (for ``SlimResNet``: the first stage at stride 2 and L4 at stride 4;
the L1 upsampling, superpixels, pooling, memory and decoder stay in torch). ``--int8``
quantizes it statically (QDQ, per-channel 7-bit weights, uint8 activations) with ranges
calibrated on ``--calib-frames`` evenly spaced frames of ``--calib`` (default: the
bundled DAVIS clip). The float32 graph gives the PyTorch masks; the int8 one is ~3x
faster on CPUs with VNNI (README, "Speed").
"""
import argparse
import os
import os.path as osp
import sys
import tempfile
import warnings
from typing import Optional, Sequence

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO_ROOT)

from shls.utils.cli import run_tool  # noqa: E402
from shls.utils.errors import ConfigError  # noqa: E402


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Export the backbone of a shls model to ONNX (float32 or int8).',
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument('config', help='model config')
    parser.add_argument('checkpoint', help="weights ('none' = random, for a smoke test)")
    parser.add_argument('--out', required=True, help='output .onnx file')
    parser.add_argument('--int8', action='store_true',
                        help='static int8 quantization calibrated on real frames')
    parser.add_argument('--calib', help='frame folder or video for --int8 (default: the '
                        'bundled DAVIS clip)')
    parser.add_argument('--calib-frames', type=int, default=8,
                        help='frames used for the calibration')
    parser.add_argument('--debug', action='store_true')
    return parser.parse_args(argv)


def export(args: argparse.Namespace) -> int:
    """Write the ONNX file and print its size."""
    from shls.apis.inference import build_model
    from shls.deployment import (calibration_images, export_backbone_onnx,
                                 quantize_onnx_int8)
    if not args.out.endswith('.onnx'):
        raise ConfigError(f'--out must name a .onnx file, got {args.out}')
    if args.calib and not args.int8:
        raise ConfigError('--calib calibrates the int8 export: add --int8')
    if args.calib_frames < 1:
        raise ConfigError(f'--calib-frames must be >= 1, got {args.calib_frames}')
    checkpoint = None if args.checkpoint.lower() == 'none' else args.checkpoint
    with warnings.catch_warnings():
        warnings.filterwarnings('ignore', message='init_segmenter: no checkpoint')
        model = build_model(args.config, checkpoint)
    if not args.int8:
        export_backbone_onnx(model.backbone, args.out)
    else:
        images = calibration_images(model, args.calib, args.calib_frames)
        with tempfile.TemporaryDirectory() as tmp:
            fp32 = export_backbone_onnx(model.backbone, osp.join(tmp, 'fp32.onnx'))
            quantize_onnx_int8(fp32, args.out, images)
    size = os.path.getsize(args.out) / 1e6
    kind = f'int8, calibrated on {len(images)} frames' if args.int8 else 'float32'
    print(f'{args.out}: {size:.2f} MB ({kind})')
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    return run_tool(lambda: export(args), debug=args.debug)


if __name__ == '__main__':
    sys.exit(main())

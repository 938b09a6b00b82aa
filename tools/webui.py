"""A web page to segment a video from boxes: ``python tools/webui.py [--port 7860]``.

Open http://127.0.0.1:7860 and pick the bundled clip or upload an mp4 / a zip of frames,
drag a box around each object on frame 0 (its first mask shows at once), press
*Segment* (a background job with a progress bar), scrub the frames with the masks
overlaid or play the overlay video, add an object with a box on a later frame, and
download the masks (palette PNGs, per-object PNGs or COCO RLE). The page calls the same
API as ``tools/demo.py`` (``shls.apis``); it needs Flask (``pip install -e ".[webui]"``).
"""
import argparse
import os.path as osp
import sys
import warnings

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, ROOT)

from shls.utils.cli import run_tool  # noqa: E402
from shls.utils.errors import InputNotFoundError, UserError  # noqa: E402

from shls.utils.shipped import SHIPPED_CHECKPOINT as DEFAULT_CHECKPOINT  # noqa: E402
from shls.utils.shipped import SHIPPED_CONFIG as DEFAULT_CONFIG  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='A web page to segment a video from boxes.',
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument('--port', type=int, default=7860, help='port on localhost')
    parser.add_argument('--host', default='127.0.0.1', help='address to listen on')
    parser.add_argument('--config', default=DEFAULT_CONFIG, help='model config')
    parser.add_argument('--checkpoint', default=DEFAULT_CHECKPOINT, help='model weights')
    parser.add_argument('--device', default='auto', help='auto, cpu, cuda ...')
    parser.add_argument('--backend', default='pytorch', choices=['pytorch', 'onnxruntime'],
                        help='engine of the backbone')
    parser.add_argument('--tmp-dir', help='folder for uploads while the server runs '
                        '(default: the system temporary folder)')
    parser.add_argument('--debug', action='store_true',
                        help='show full tracebacks instead of one-line errors')
    return parser.parse_args()


def main(args: argparse.Namespace) -> int:
    try:
        from shls.webui.app import create_app
    except ImportError as err:
        raise UserError(f'the web page needs Flask: pip install -e ".[webui]" ({err})') from err
    from shls.apis import init_segmenter
    if not osp.isfile(args.checkpoint):
        raise InputNotFoundError(f'checkpoint not found: {args.checkpoint}')
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        segmenter = init_segmenter(args.config, args.checkpoint, args.device,
                                   backend=args.backend)
    app = create_app(segmenter, args.tmp_dir)
    print(f'shls web page on http://{args.host}:{args.port} (Ctrl-C to stop)', flush=True)
    try:
        app.run(host=args.host, port=args.port, threaded=True, use_reloader=False)
    finally:
        app.extensions['shls']['jobs'].close()
        app.extensions['shls']['clips'].close()
    return 0


if __name__ == '__main__':
    cli_args = parse_args()
    sys.exit(run_tool(lambda: main(cli_args), cli_args.debug))

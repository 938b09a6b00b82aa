"""tools/demo.py with --box / --scribble instead of a first mask."""
import os
import os.path as osp
import subprocess
import sys

import cv2
import numpy as np
import pytest

from shls.datasets import read_mask, write_palette_png

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOOL = osp.join(REPO, 'tools', 'demo.py')
TINY_CONFIG = osp.join(REPO, 'tests', 'fixtures', 'configs', 'shls_tiny.py')
BLACKSWAN = osp.join(REPO, 'demo', 'davis', 'JPEGImages', '480p', 'blackswan')
BLACKSWAN_GT = osp.join(REPO, 'demo', 'davis', 'Annotations', '480p', 'blackswan')
SWAN_BOX = '127,73,510,385'  # the tight box of the swan in the first annotation
SIZE = (214, 120)


def demo(args, timeout=300) -> subprocess.CompletedProcess:
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONPATH=REPO)
    return subprocess.run([sys.executable, TOOL, *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope='module')
def frames(tmp_path_factory, davis_root):
    """4 blackswan fixture frames at 214x120, and the first annotation at that size."""
    root = tmp_path_factory.mktemp('prompts')
    seq = osp.join(davis_root, 'JPEGImages', '480p', 'blackswan')
    (root / 'frames').mkdir()
    for name in sorted(os.listdir(seq))[:4]:
        img = cv2.resize(cv2.imread(osp.join(seq, name)), SIZE, interpolation=cv2.INTER_AREA)
        cv2.imwrite(str(root / 'frames' / name), img)
    mask = read_mask(osp.join(davis_root, 'Annotations', '480p', 'blackswan', '00000.png'))
    return root, cv2.resize(mask, SIZE, interpolation=cv2.INTER_NEAREST)


def test_box_on_the_bundled_clip_with_the_shipped_model(tmp_path):
    """The issue's command: the bundled clip from a box, J&F against its annotations."""
    out = tmp_path / 'box'
    proc = demo([BLACKSWAN, '--box', SWAN_BOX, '--gt', BLACKSWAN_GT, '--out', str(out),
                 '--no-video', '--backend', 'pytorch'], timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert 'first mask from the boxes: 1 objects' in proc.stdout
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith('J&F ')][0]
    assert float(line.split()[1]) > 70.0


def test_scribble_and_bad_prompts(frames, tmp_path):
    root, mask = frames
    strokes = np.zeros_like(mask)
    ys, xs = np.nonzero(mask == 1)
    strokes[ys[::40], xs[::40]] = 1  # a few dots on the swan
    strokes[:3, :] = 255
    write_palette_png(tmp_path / 'strokes.png', strokes)
    write_palette_png(tmp_path / 'blank.png', np.zeros_like(mask))
    out = tmp_path / 'out'
    common = ['--config', TINY_CONFIG, '--checkpoint', 'none', '--no-video']
    proc = demo([str(root / 'frames'), '--scribble', str(tmp_path / 'strokes.png'),
                 '--out', str(out), *common])
    assert proc.returncode == 0, proc.stderr[-2000:]
    first = read_mask(out / '00000.png')  # wiring, not accuracy: random weights here
    assert (first[strokes == 1] == 1).all() and (first[strokes == 255] == 0).all()
    cases = [(['--box', '10,10,300,50'], 'outside the 214x120 frame'),
             (['--box', '10,10,5,50'], 'is empty'),
             (['--box', '1,2,3'], 'four numbers'),
             (['--scribble', str(tmp_path / 'blank.png')], 'no object stroke'),
             (['--scribble', str(tmp_path / 'missing.png')], 'not found')]
    for args, pattern in cases:
        bad = tmp_path / 'bad'
        proc = demo([str(root / 'frames'), *args, '--out', str(bad), *common])
        lines = proc.stderr.strip().splitlines()
        assert proc.returncode == 2 and lines[-1].startswith('error: '), proc.stderr
        assert pattern in lines[-1], lines[-1]
        assert not bad.exists()
    proc = demo([str(root / 'frames'), '--box', '1,1,9,9', '--mask', str(tmp_path / 'x.png'),
                 '--out', str(out), *common])
    assert proc.returncode == 2 and 'one of --mask, --box, --scribble' in proc.stderr

"""tools/demo.py on a short clip (frame folder and mp4), and its one-line errors."""
import importlib.util
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
NUM_FRAMES, SIZE = 4, (214, 120)


@pytest.fixture(scope='module')
def clip(tmp_path_factory, davis_root):
    """4 blackswan frames at 214x120 as a folder and an mp4, and the first mask."""
    root = tmp_path_factory.mktemp('demo')
    seq = osp.join(davis_root, 'JPEGImages', '480p', 'blackswan')
    (root / 'frames').mkdir()
    writer = cv2.VideoWriter(str(root / 'clip.mp4'), cv2.VideoWriter_fourcc(*'mp4v'), 12, SIZE)
    for name in sorted(os.listdir(seq))[:NUM_FRAMES]:
        img = cv2.resize(cv2.imread(osp.join(seq, name)), SIZE, interpolation=cv2.INTER_AREA)
        cv2.imwrite(str(root / 'frames' / name), img)
        writer.write(img)
    writer.release()
    mask = read_mask(osp.join(davis_root, 'Annotations', '480p', 'blackswan', '00000.png'))
    write_palette_png(root / 'first.png', cv2.resize(mask, SIZE,
                                                     interpolation=cv2.INTER_NEAREST))
    return root


def run_main(args, monkeypatch):
    spec = importlib.util.spec_from_file_location('shls_tool_demo', TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(sys, 'argv', ['demo.py', *args])
    return module.main()


def test_demo_writes_pngs_and_overlay(clip):
    out = clip / 'out'
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONPATH=REPO)
    proc = subprocess.run(
        [sys.executable, TOOL, str(clip / 'frames'), '--mask', str(clip / 'first.png'),
         '--out', str(out), '--config', TINY_CONFIG, '--checkpoint', 'none', '--fps', '12'],
        capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert 'random weights' in proc.stderr and 'frames/s' in proc.stdout
    names = sorted(os.listdir(out))
    assert names == ['.complete'] + [f'{i:05d}.png' for i in range(NUM_FRAMES)] + [
        'contact_sheet.png', 'overlay.mp4']
    np.testing.assert_array_equal(read_mask(out / '00000.png'), read_mask(clip / 'first.png'))
    capture = cv2.VideoCapture(str(out / 'overlay.mp4'))
    assert int(capture.get(cv2.CAP_PROP_FRAME_COUNT)) == NUM_FRAMES
    assert capture.read()[1].shape == (SIZE[1], SIZE[0], 3)
    capture.release()


def test_demo_on_mp4(clip, monkeypatch, capsys):
    out = clip / 'out_mp4'
    code = run_main([str(clip / 'clip.mp4'), '--mask', str(clip / 'first.png'), '--out',
                     str(out), '--config', TINY_CONFIG, '--checkpoint', 'none', '--no-video'],
                    monkeypatch)
    assert code == 0, capsys.readouterr().err
    assert sorted(os.listdir(out)) == ['.complete'] + [
        f'{i:05d}.png' for i in range(NUM_FRAMES)] + ['contact_sheet.png']


def test_demo_errors_leave_no_output(clip, tmp_path, monkeypatch, capsys):
    (tmp_path / 'empty').mkdir()
    write_palette_png(tmp_path / 'big.png', np.ones((SIZE[1] + 1, SIZE[0]), np.uint8))
    write_palette_png(tmp_path / 'none.png', np.zeros((SIZE[1], SIZE[0]), np.uint8))
    frames, first = str(clip / 'frames'), str(clip / 'first.png')
    cases = [  # (input, mask, config, expected in the message)
        (str(tmp_path / 'empty'), first, TINY_CONFIG, 'no frame'),
        (frames, str(tmp_path / 'big.png'), TINY_CONFIG, 'big.png'),
        (frames, str(tmp_path / 'none.png'), TINY_CONFIG, 'no object'),
        (frames, first, 'nope.py', 'nope.py'),
    ]
    for source, mask, config, pattern in cases:
        out = tmp_path / 'out'
        code = run_main([source, '--mask', mask, '--out', str(out), '--config', config,
                         '--checkpoint', 'none'], monkeypatch)
        err = capsys.readouterr().err.strip().splitlines()
        assert code == 2 and err[-1].startswith('error: ') and pattern in err[-1], err
        assert not out.exists()
    assert sorted(os.listdir(tmp_path)) == ['big.png', 'empty', 'none.png']


def test_demo_without_arguments_runs_the_bundled_clip_with_the_shipped_model(tmp_path):
    """The README's first command: bundled clip + shipped checkpoint, J&F printed."""
    out = tmp_path / 'default'
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONPATH=REPO)
    proc = subprocess.run([sys.executable, TOOL, '--out', str(out), '--no-video'], cwd=REPO,
                          env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert len([n for n in os.listdir(out) if n[0].isdigit()]) == 50
    assert (out / 'contact_sheet.png').is_file()
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith('J&F ')][0]
    assert float(line.split()[1]) > 60.0  # a trained model, not random weights (~20)
    # the shipped model this CPU gets (--model auto), named on the start-up line
    assert any(ln.startswith(('model accurate (', 'model fast (')) for ln in
               proc.stdout.splitlines()), proc.stdout[:2000]


def test_demo_fast_model_on_a_short_clip(clip, monkeypatch, capsys):
    out = clip / 'out_fast'
    code = run_main([str(clip / 'frames'), '--mask', str(clip / 'first.png'), '--out',
                     str(out), '--model', 'fast', '--no-video', '--backend', 'pytorch'],
                    monkeypatch)
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert 'model fast (configs/shls/shls_r18-w16_slic' in captured.out
    assert len([n for n in os.listdir(out) if n.endswith('.png')]) == NUM_FRAMES + 1

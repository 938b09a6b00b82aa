"""tools/make_pseudo_masks.py: masks, resumability, temporary files and one-line errors."""
import importlib.util
import os
import shutil
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from .conftest import run_tool

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / 'tests' / 'fixtures' / 'saliency'
FAST = ['--cfg-options', 'max_side=64']


def _load_tool():
    spec = importlib.util.spec_from_file_location('make_pseudo_masks',
                                                  REPO / 'tools' / 'make_pseudo_masks.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TOOL = _load_tool()


@pytest.fixture
def images(tmp_path) -> Path:
    folder = tmp_path / 'images'
    folder.mkdir()
    for img in sorted((FIXTURES / 'images').glob('*.jpg'))[:3]:
        shutil.copy(img, folder / img.name)
    return folder


def _run(capsys, *args):
    code = TOOL.main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def _stamps(folder: Path) -> dict:
    return {p.name: p.stat().st_mtime_ns for p in folder.glob('*.png')}


def test_masks_are_written_then_skipped(images, tmp_path, capsys):
    out = tmp_path / 'masks'
    code, stdout, _ = _run(capsys, images, out, *FAST)
    assert code == 0 and '0 masks already' in stdout and '3 masks written' in stdout
    for img in images.iterdir():
        mask = cv2.imread(str(out / (img.stem + '.png')), cv2.IMREAD_UNCHANGED)
        assert mask.dtype == np.uint8 and mask.shape == cv2.imread(str(img)).shape[:2]
        assert set(np.unique(mask)) <= {0, 255}
    stamps = _stamps(out)
    code, stdout, _ = _run(capsys, images, out, *FAST)
    assert code == 0 and '3 masks already' in stdout and '0 masks written' in stdout
    assert _stamps(out) == stamps
    victim = sorted(stamps)[1]
    (out / victim).unlink()
    code, stdout, _ = _run(capsys, images, out, *FAST)
    assert code == 0 and '2 masks already' in stdout and '1 masks written' in stdout
    after = _stamps(out)
    assert set(after) == set(stamps)
    assert all(after[k] == stamps[k] for k in stamps if k != victim)


def test_leftover_temporary_files(images, tmp_path, capsys):
    out = tmp_path / 'masks'
    out.mkdir()
    stale = out / '.x.png.abc123.tmp'
    stale.write_bytes(b'half a png')
    old = time.time() - 3600
    os.utime(stale, (old, old))
    fresh = out / '.y.png.def456.tmp'  # may belong to a writer still running
    fresh.write_bytes(b'half a png')
    code, stdout, _ = _run(capsys, images, out, *FAST)
    assert code == 0 and 'removed 1 stale temporary files' in stdout
    assert not stale.exists() and fresh.exists()
    assert len(list(out.glob('*.png'))) == 3


def test_unreadable_image_is_skipped_with_a_warning(images, tmp_path, capsys):
    (images / 'broken.jpg').write_bytes(b'not a jpeg')
    out = tmp_path / 'masks'
    code, stdout, stderr = _run(capsys, images, out, *FAST)
    assert code == 1
    assert 'warning: skipped' in stderr and 'broken.jpg' in stderr
    assert '3 masks written' in stdout and '1 unreadable' in stdout
    assert not (out / 'broken.png').exists() and len(list(out.glob('*.png'))) == 3


def test_other_settings_need_overwrite(images, tmp_path, capsys):
    out = tmp_path / 'masks'
    assert _run(capsys, images, out, *FAST)[0] == 0
    stamps = _stamps(out)
    code, _, stderr = _run(capsys, images, out, '--cfg-options', 'max_side=48')
    assert code == 2 and stderr.startswith('error:') and 'made by' in stderr
    code, stdout, _ = _run(capsys, images, out, '--overwrite', '--cfg-options', 'max_side=48')
    assert code == 0 and '3 masks written' in stdout
    assert all(_stamps(out)[k] != v for k, v in stamps.items())


@pytest.mark.parametrize('case, message', [
    ('missing', 'does not exist'), ('empty', 'no images'), ('unwritable', 'not writable'),
    ('method', 'unknown saliency estimator'), ('option', 'unexpected keyword')])
def test_user_errors_are_one_line(images, tmp_path, capsys, case, message):
    src, out, extra = images, tmp_path / 'masks', list(FAST)
    if case == 'missing':
        src = tmp_path / 'nowhere'
    elif case == 'empty':
        src = tmp_path / 'empty'
        src.mkdir()
    elif case == 'unwritable':
        (tmp_path / 'a_file').write_text('x')
        out = tmp_path / 'a_file' / 'masks'
    elif case == 'method':
        extra = ['--method', 'NoSuchSaliency']
    else:
        extra = ['--cfg-options', 'no_such_option=1']
    code, _, stderr = _run(capsys, src, out, *extra)
    assert code == 2
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith('error:') and message in lines[0]


def test_command_line(images, tmp_path, repo_root):
    res = run_tool(repo_root, ['tools/make_pseudo_masks.py', '--help'])
    assert res.returncode == 0 and 'IMAGES_DIR' in res.stdout
    res = run_tool(repo_root, ['tools/make_pseudo_masks.py', str(images),
                               str(tmp_path / 'm'), '--method', 'RBDSaliency', *FAST])
    assert res.returncode == 0, res.stderr[-2000:]
    assert 'pseudo-masks' in res.stderr  # the progress bar
    assert len(list((tmp_path / 'm').glob('*.png'))) == 3

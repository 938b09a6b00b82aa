"""The compiled SLIC loop gives scikit-image's labels, on every instruction set."""
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import cv2
import numpy as np
import pytest
from skimage.segmentation import slic

from shls.models.superpixels import slic_core
from shls.models.superpixels.slic import smoothed_lab

FRAMES = Path(__file__).parents[2] / 'fixtures' / 'davis' / 'JPEGImages' / '480p'
compiled = pytest.mark.skipif(slic_core.BACKEND != 'compiled',
                              reason=slic_core.describe_backend())


def _lab_frames(count: int = 3):
    paths = sorted(FRAMES.glob('*/*.jpg'))
    for path in paths[::max(1, len(paths) // count)][:count]:
        image = cv2.imread(str(path))[:, :, ::-1]
        image = cv2.resize(image, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
        yield smoothed_lab(image, 1.0)


def _skimage(image, n_segments, compactness, max_num_iter=10, connectivity=True):
    return slic(image, n_segments=n_segments, compactness=compactness, sigma=0,
                max_num_iter=max_num_iter, convert2lab=False,
                enforce_connectivity=connectivity, start_label=0, channel_axis=-1)


def test_compiled_loop_is_built_where_a_compiler_is():
    """An install on a machine with a C compiler must have built the loop."""
    if os.environ.get('SHLS_COMPILED_SLIC') == '0':
        pytest.skip('SHLS_COMPILED_SLIC=0 turns the compiled loop off')
    compiler = (sysconfig.get_config_var('CC') or 'cc').split()[0]
    if shutil.which(compiler) is None:
        pytest.skip(f'no C compiler ({compiler}): scikit-image runs SLIC here')
    if not Path(sysconfig.get_paths()['include'], 'Python.h').is_file():
        pytest.skip('no Python headers (python3-dev): scikit-image runs SLIC here')
    assert slic_core.BACKEND == 'compiled', slic_core.describe_backend()
    assert 'compiled loop' in slic_core.describe_backend()


@compiled
@pytest.mark.parametrize('area,compactness,iterations,connectivity', [
    (100, 10, 10, True), (30, 10, 10, True), (100, 20, 10, True), (100, 10, 5, True),
    (100, 10, 10, False), (400, 3, 10, True)])
def test_labels_equal_scikit_image_on_real_frames(area, compactness, iterations,
                                                  connectivity):
    for lab in _lab_frames():
        n = round(lab.shape[0] * lab.shape[1] / area)
        scale = float(lab.max() - lab.min())
        ours = slic_core.slic_labels(lab, n, compactness / scale, iterations, connectivity)
        theirs = _skimage(lab, n, compactness / scale, iterations, connectivity)
        assert ours.dtype == np.int64
        assert np.array_equal(ours, theirs)


@compiled
@pytest.mark.parametrize('shape,n_segments', [((37, 53, 3), 40), ((2, 2, 3), 1),
                                              ((5, 300, 3), 64), ((64, 64, 3), 5000)])
def test_labels_equal_scikit_image_on_noise_and_odd_shapes(shape, n_segments):
    """Noise makes near-ties and empty centres; odd shapes test the window clipping."""
    rng = np.random.default_rng(sum(shape))
    image = rng.normal(size=shape)
    for compactness in (0.01, 0.1, 10.0):
        assert np.array_equal(slic_core.slic_labels(image, n_segments, compactness),
                              _skimage(image, n_segments, compactness))


@compiled
@pytest.mark.parametrize('capability', ['default', 'avx2'])
def test_every_instruction_set_gives_the_same_labels(capability, tmp_path):
    """A capped run (ATEN_CPU_CAPABILITY) picks a narrower loop with the same sums."""
    lab = next(iter(_lab_frames(1)))
    np.save(tmp_path / 'lab.npy', lab)
    code = ('import sys, numpy as np; from shls.models.superpixels import slic_core as s; '
            'lab = np.load(sys.argv[1]); np.save(sys.argv[2], s.slic_labels(lab, 250, 0.1)); '
            'print(s._slic_core.ISA)')
    env = dict(os.environ, ATEN_CPU_CAPABILITY=capability)
    run = subprocess.run([sys.executable, '-c', code, str(tmp_path / 'lab.npy'),
                          str(tmp_path / 'out.npy')], env=env, capture_output=True,
                         text=True, check=True)
    isa = run.stdout.strip()
    assert isa == 'baseline' if capability == 'default' else isa in ('avx2', 'baseline')
    assert np.array_equal(np.load(tmp_path / 'out.npy'), _skimage(lab, 250, 0.1))


def test_float32_images_go_to_scikit_image(monkeypatch):
    """scikit-image computes a float32 image in float32: the float64 loop is not used."""
    lab = next(iter(_lab_frames(1))).astype(np.float32)
    monkeypatch.setattr(slic_core, '_prepare', None)  # the compiled path would call it
    assert np.array_equal(slic_core.slic_labels(lab, 300, 0.2), _skimage(lab, 300, 0.2))


def test_scikit_image_fallback_gives_the_same_labels(monkeypatch):
    lab = next(iter(_lab_frames(1)))
    expected = _skimage(lab, 300, 0.2)
    monkeypatch.setattr(slic_core, '_slic_core', None)
    assert np.array_equal(slic_core.slic_labels(lab, 300, 0.2), expected)


@compiled
def test_non_finite_image_is_refused_in_one_line():
    image = np.zeros((8, 8, 3))
    image[2, 3, 1] = np.nan
    with pytest.raises(ValueError, match='finite'):
        slic_core.slic_labels(image, 4, 1.0)


@compiled
def test_wrong_buffer_sizes_are_refused():
    image = np.zeros((4, 4, 3))
    labels = np.empty((4, 5), np.int64)
    with pytest.raises(ValueError, match='labels'):
        slic_core._slic_core.kmeans(image, 4, 4, np.zeros((1, 5)), 1, 1, 1.0, 1, labels)
    with pytest.raises(ValueError, match='out'):
        slic_core._slic_core.connectivity(np.zeros((4, 4), np.int64), 4, 4, 1, 4, labels)


def test_environment_variable_turns_the_compiled_loop_off():
    code = 'from shls.models.superpixels import slic_core as s; print(s.describe_backend())'
    env = dict(os.environ, SHLS_COMPILED_SLIC='0')
    run = subprocess.run([sys.executable, '-c', code], env=env, capture_output=True,
                         text=True, check=True)
    assert run.stdout.strip() == 'SLIC: scikit-image (compiled loop turned off by ' \
                                 'SHLS_COMPILED_SLIC=0)'

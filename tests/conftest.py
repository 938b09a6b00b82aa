"""Shared fixtures: paths of the data bundled under tests/fixtures."""
import os.path as osp

import pytest

FIXTURES = osp.join(osp.dirname(osp.abspath(__file__)), 'fixtures')
REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


@pytest.fixture(scope='session')
def fixtures_dir() -> str:
    return FIXTURES


@pytest.fixture(scope='session')
def saliency_root() -> str:
    """8 still images + masks (images/, masks/)."""
    return osp.join(FIXTURES, 'saliency')


@pytest.fixture(scope='session')
def davis_root() -> str:
    """DAVIS layout, 2 sequences x 6 frames, DAVIS-2016 0/255 masks."""
    return osp.join(FIXTURES, 'davis')


@pytest.fixture(scope='session')
def repo_root() -> str:
    return REPO_ROOT


@pytest.fixture(autouse=True, scope='module')
def single_thread():
    """One intra-op thread: the suite runs many tiny tensor ops, and OpenMP spinning on
    a shared 2-core CPU makes them up to 40x slower with 2 threads."""
    import torch
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def build_youtube_vos(root, size=(96, 54)) -> str:
    """A YouTube-VOS layout (``valid`` split) made from the DAVIS fixture, at ``size``.

    ``swan`` (blackswan, 6 frames named 00000, 00005, ...): object 1 (the swan) from the
    first frame, object 2 (a red square painted into the frames) from the third frame on,
    annotated there only. ``car`` (car-shadow): object 1 from the first frame.
    """
    import json
    import os

    import cv2
    import numpy as np

    from shls.datasets import read_mask, write_palette_png
    split = os.path.join(str(root), 'valid')
    meta = {'videos': {}}
    for video, seq, late in (('swan', 'blackswan', True), ('car', 'car-shadow', False)):
        frames_dir = os.path.join(split, 'JPEGImages', video)
        ann_dir = os.path.join(split, 'Annotations', video)
        os.makedirs(frames_dir)
        os.makedirs(ann_dir)
        stems = [f'{5 * t:05d}' for t in range(6)]
        for t, stem in enumerate(stems):
            img = cv2.imread(os.path.join(FIXTURES, 'davis', 'JPEGImages', '480p', seq,
                                          f'{t:05d}.jpg'))
            img = cv2.resize(img, size, interpolation=cv2.INTER_AREA)
            if late and t >= 2:
                img[30:46, 6 + 2 * t:22 + 2 * t] = (30, 30, 220)
            cv2.imwrite(os.path.join(frames_dir, f'{stem}.jpg'), img)
        first = read_mask(os.path.join(FIXTURES, 'davis', 'Annotations', '480p', seq,
                                       '00000.png'))
        write_palette_png(os.path.join(ann_dir, f'{stems[0]}.png'),
                          cv2.resize(first, size, interpolation=cv2.INTER_NEAREST))
        objects = {'1': {'category': seq, 'frames': stems}}
        if late:
            square = np.zeros((size[1], size[0]), np.uint8)
            square[30:46, 10:26] = 2
            write_palette_png(os.path.join(ann_dir, f'{stems[2]}.png'), square)
            objects['2'] = {'category': 'square', 'frames': stems[2:]}
        meta['videos'][video] = {'objects': objects}
    with open(os.path.join(split, 'meta.json'), 'w', encoding='utf-8') as f:
        json.dump(meta, f)
    return str(root)


@pytest.fixture(scope='session')
def youtube_vos_root(tmp_path_factory) -> str:
    """YouTube-VOS layout: ``valid/{meta.json, JPEGImages, Annotations}``, 2 videos, one
    with an object that first appears on its third frame (see build_youtube_vos)."""
    return build_youtube_vos(tmp_path_factory.mktemp('youtube_vos'))

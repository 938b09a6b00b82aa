"""Shared fixtures of the dataset tests."""
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

SALIENCY = Path(__file__).resolve().parents[1] / 'fixtures' / 'saliency'


def pytest_configure(config):
    config.addinivalue_line('markers', 'slow: long test on the full shared data '
                            '(runs only with SHLS_SLOW_TESTS=1)')


@pytest.fixture
def saliency_path(saliency_root) -> Path:
    """The 8 real images + masks (``images/`` + ``masks/``) as a ``Path``."""
    return Path(saliency_root)


@pytest.fixture
def msra_root(tmp_path) -> Path:
    """Three fixture images in the MSRA10K layout: ``Imgs/<stem>.jpg`` + ``.png``."""
    imgs = tmp_path / 'Imgs'
    imgs.mkdir()
    for img in sorted((SALIENCY / 'images').glob('*.jpg'))[:3]:
        shutil.copy(img, imgs / img.name)
        shutil.copy(SALIENCY / 'masks' / (img.stem + '.png'), imgs / (img.stem + '.png'))
    return tmp_path


@pytest.fixture
def write_pair(tmp_path):
    """Factory: ``write_pair(stem, mask, image=None)`` writes ``images/<stem>.png``
    (random pixels by default) and ``masks/<stem>.png`` under ``tmp_path``; returns
    ``tmp_path``."""

    def write(stem: str, mask: np.ndarray, image: np.ndarray = None) -> Path:
        (tmp_path / 'images').mkdir(exist_ok=True)
        (tmp_path / 'masks').mkdir(exist_ok=True)
        if image is None:
            rng = np.random.default_rng(len(stem))
            image = rng.integers(0, 256, (*mask.shape[:2], 3), dtype=np.uint8)
        cv2.imwrite(str(tmp_path / 'images' / f'{stem}.png'), image)
        cv2.imwrite(str(tmp_path / 'masks' / f'{stem}.png'), mask)
        return tmp_path

    return write

"""SuperpixelGenerator: the interface, and the deprecated BaseSuperpixelGenerator name."""
import numpy as np
import pytest

from shls.models.superpixels import (BaseSuperpixelGenerator, GridSuperpixels,
                                     SLICSuperpixels, SuperpixelGenerator)
from shls.registry import MODELS


def test_generators_subclass_the_interface():
    for cls in (GridSuperpixels, SLICSuperpixels, MODELS.get('ISECSuperpixels')):
        assert issubclass(cls, SuperpixelGenerator)
    with pytest.raises(TypeError):
        SuperpixelGenerator()


def test_former_name_still_works_for_plugins():
    assert BaseSuperpixelGenerator is SuperpixelGenerator

    class Halves(BaseSuperpixelGenerator):
        def _segment(self, image: np.ndarray) -> np.ndarray:
            labels = np.zeros(image.shape[:2], np.int64)
            labels[:, image.shape[1] // 2:] = 7
            return labels

    labels = Halves()(np.zeros((4, 6, 3), np.uint8))
    assert isinstance(Halves(), SuperpixelGenerator)
    assert labels.dtype == np.int32 and set(np.unique(labels)) == {0, 1}

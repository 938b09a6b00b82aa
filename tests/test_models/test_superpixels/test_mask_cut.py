import cv2
import numpy as np

from shls.models.superpixels import (SLICSuperpixels, cut_superpixels_by_mask,
                                     superpixel_mode)


def test_cut_never_straddles_labels_on_real_frame(davis_root):
    img = cv2.imread(f'{davis_root}/JPEGImages/480p/blackswan/00000.jpg')[..., ::-1]
    mask = (cv2.imread(f'{davis_root}/Annotations/480p/blackswan/00000.png', 0) > 0)
    mask = mask.astype(np.uint8)
    spx = SLICSuperpixels(n_segments=400)(img)
    cut = cut_superpixels_by_mask(spx, mask)
    mode = superpixel_mode(cut, mask)
    assert np.array_equal(mode[cut], mask)
    assert cut.max() + 1 >= spx.max() + 1
    assert np.array_equal(np.unique(cut), np.arange(cut.max() + 1))


def test_minority_components_become_separate_superpixels():
    spx = np.zeros((4, 6), np.int32)
    mask = np.zeros((4, 6), np.uint8)
    mask[0, 0] = 1      # two separate minority islands of label 1
    mask[3, 5] = 1
    cut = cut_superpixels_by_mask(spx, mask)
    assert cut.max() == 2
    assert cut[0, 0] != cut[3, 5] and cut[0, 0] != cut[1, 1]


def test_untouched_when_already_aligned():
    spx = np.repeat(np.arange(3, dtype=np.int32), 2)[None].repeat(2, 0)
    mask = (spx == 1).astype(np.uint8)
    assert np.array_equal(cut_superpixels_by_mask(spx, mask), spx)

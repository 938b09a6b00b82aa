"""The tight-box prior of box prompts (pinpointing missed rows and columns)."""
import numpy as np
import pytest

from shls.models.prompts import BoxPromptToMask, tight_box
from shls.models.prompts.tightness import colour_log_ratio, missed_lines, pinpoints
from shls.registry import MODELS
from shls.utils.errors import ConfigError


def lollipop(seed: int = 0):
    """A red disc on a thin greyish-green stick, on a noisy green background: GrabCut
    alone drops the stick, whose colour is near the background's."""
    rng = np.random.default_rng(seed)
    image = np.empty((120, 160, 3))
    image[:] = (40, 140, 60)
    image += rng.normal(0, 12, image.shape)
    yy, xx = np.mgrid[:120, :160]
    disc = (yy - 45) ** 2 + (xx - 60) ** 2 <= 22 ** 2
    stick = (yy >= 60) & (yy < 105) & (xx >= 58) & (xx < 62)
    image[disc] = (200, 40, 40) + rng.normal(0, 12, (disc.sum(), 3))
    image[stick] = (60, 110, 70) + rng.normal(0, 12, (stick.sum(), 3))
    return np.clip(image, 0, 255).astype(np.uint8), disc | stick


def iou(a: np.ndarray, b: np.ndarray) -> float:
    return (a & b).sum() / max(1, (a | b).sum())


def test_missed_lines():
    mask = np.zeros((20, 30), bool)
    mask[5:8, 10:12] = True
    rows, cols = missed_lines(mask, (10, 4, 14, 10))
    assert rows.tolist() == [True, False, False, False, True, True]
    assert cols.tolist() == [False, False, True, True]


def test_colour_log_ratio_prefers_the_object_colour():
    image = np.zeros((10, 10, 3), np.uint8)
    image[:, :5] = (200, 30, 30)
    image[:, 5:] = (30, 200, 30)
    fg = np.zeros((10, 10), bool)
    fg[:, :3] = True
    bg = np.zeros((10, 10), bool)
    bg[:, 7:] = True
    score = colour_log_ratio(image, fg, bg)
    assert score.shape == (10, 10)
    assert (score[:, :5] > 0).all() and (score[:, 5:] < 0).all()


def test_pinpoints_land_on_the_object_in_missed_lines():
    image, obj = lollipop()
    box = tight_box(obj)
    x0, y0, x1, y1 = box
    head = obj & (np.arange(120)[:, None] < 60)  # the disc without the stick
    pins = pinpoints(image, head, box)
    rows, _ = missed_lines(head, box)
    assert pins.shape == (y1 - y0, x1 - x0)
    assert pins.any(axis=1)[rows].all()  # one pin on every missed row ...
    assert not pins[~rows].any()  # ... and none elsewhere (every column is met)
    assert obj[y0:y1, x0:x1][pins].mean() > 0.8  # mostly on the stick
    assert not pinpoints(image, obj, box).any()  # nothing missed: no pins
    assert not pinpoints(image, np.zeros_like(obj), box).any()  # no colour model: none


def test_a_tight_box_recovers_a_thin_part():
    image, obj = lollipop()
    box = tight_box(obj)
    loose = BoxPromptToMask(tightness_rounds=0)(image, [box]) == 1
    tight = MODELS.build(dict(type='BoxPromptToMask'))(image, [box]) == 1
    assert missed_lines(loose, box)[0].sum() > 20  # GrabCut alone drops the stick
    assert missed_lines(tight, box)[0].sum() <= 3
    assert iou(tight, obj) > iou(loose, obj) + 0.05


def test_bad_rounds_are_a_config_error():
    with pytest.raises(ConfigError, match='tightness_rounds'):
        BoxPromptToMask(tightness_rounds=-1)

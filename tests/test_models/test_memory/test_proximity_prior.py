"""The temporal proximity prior on the Eq.-4 scores."""
import torch

from shls.models.memory import proximity_penalty
from shls.models.memory.proximity_prior import superpixel_centres


def grid_superpixels(h=40, w=80, cell=10):
    rows = torch.arange(h)[:, None] // cell
    cols = torch.arange(w)[None, :] // cell
    return rows * (w // cell) + cols  # ids row-major


def test_centres_are_the_mean_pixel_positions():
    spx = grid_superpixels()
    centres = superpixel_centres(spx, int(spx.max()) + 1)
    torch.testing.assert_close(centres[0], torch.tensor([4.5, 4.5]))
    torch.testing.assert_close(centres[9], torch.tensor([14.5, 14.5]))


def test_penalty_grows_with_distance_beyond_the_margin():
    spx = grid_superpixels()
    prev = torch.zeros(40, 80, dtype=torch.int64)
    prev[0:20, 0:20] = 1                     # object 1 in the top-left 20x20 corner
    classes = torch.tensor([0, 1, 2])        # object 2 is absent from the previous frame
    pen = proximity_penalty(spx, prev, classes, int(spx.max()) + 1, margin=0.5, weight=2.0)
    assert pen.shape == (32, 3)
    assert (pen[:, 0] == 0).all() and (pen[:, 2] == 0).all()  # background, absent object
    near, far = 0, 7                          # the corner cell, the far top-right cell
    assert pen[near, 1] == 0
    # far cell centre (4.5, 74.5): ~55 px from the object, size sqrt(400) = 20
    expected = 2.0 * (55.0 / 20.0 - 0.5)
    assert abs(float(pen[far, 1]) - expected) < 0.6
    assert pen[far, 1] > pen[3, 1] > 0 == pen[2, 1]  # within the margin: none


def test_zero_weight_or_no_object_is_no_penalty():
    spx = grid_superpixels()
    prev = torch.zeros(40, 80, dtype=torch.int64)
    assert proximity_penalty(spx, prev, torch.tensor([0]), 32, 0.5, 1.0).abs().sum() == 0
    prev[:10, :10] = 1
    assert proximity_penalty(spx, prev, torch.tensor([0, 1]), 32, 0.5, 0.0).abs().sum() == 0

"""Contact sheets: tile layout, colours, frame picking."""
import numpy as np
import pytest

from shls.visualization import DAVIS_PALETTE, contact_sheet, pick_evenly


def test_pick_evenly_spans_first_to_last_without_duplicates():
    assert pick_evenly(50, 8).tolist()[0] == 0 and pick_evenly(50, 8).tolist()[-1] == 49
    assert len(pick_evenly(50, 8)) == 8
    assert pick_evenly(3, 8).tolist() == [0, 1, 2]
    assert len(pick_evenly(0, 8)) == 0


def test_contact_sheet_tiles_and_colours_the_masks():
    frames = [np.full((40, 80, 3), 100, np.uint8) for _ in range(5)]
    masks = [np.zeros((40, 80), np.uint8) for _ in range(5)]
    masks[4][30:, 60:] = 1
    sheet = contact_sheet(frames, masks, [str(i) for i in range(5)], columns=4, tile_width=40)
    assert sheet.shape == (2 * 20, 4 * 40, 3)
    assert np.all(sheet[20:, 40:] == 0)  # empty tiles stay black
    corner = sheet[36, 36].astype(int)  # tile 4, inside the object
    expected = (0.5 * 100 + 0.5 * DAVIS_PALETTE[1]).astype(int)
    assert np.abs(corner - expected).max() <= 2


def test_contact_sheet_needs_matching_inputs():
    with pytest.raises(ValueError, match='as many'):
        contact_sheet([np.zeros((4, 4, 3), np.uint8)], [], ['a'])

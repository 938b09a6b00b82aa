import torch

from shls.models.decoders import (box_sizes, jitter_boxes, masks_to_boxes, pad_boxes,
                                  select_inference_rois, select_training_rois)


def _mask(h, w, y1, y2, x1, x2):
    m = torch.zeros(h, w, dtype=torch.bool)
    m[y1:y2, x1:x2] = True
    return m


def test_masks_to_boxes_and_empty():
    masks = torch.stack([_mask(30, 40, 5, 15, 10, 30), torch.zeros(30, 40, dtype=torch.bool)])
    boxes, nonempty = masks_to_boxes(masks)
    assert boxes.tolist() == [[10, 5, 30, 15], [0, 0, 40, 30]]
    assert nonempty.tolist() == [True, False]


def test_margin_is_split_between_sides():
    # 40 x 20 object in a 200 x 200 frame: +30 % -> 52 x 26 around the same centre
    boxes = select_inference_rois(_mask(200, 200, 90, 110, 80, 120)[None])
    x1, y1, x2, y2 = boxes[0].tolist()
    assert (x2 - x1, y2 - y1) == (52, 28)  # 26 rounded up to a multiple of 4
    assert abs((x1 + x2) / 2 - 100) <= 1 and abs((y1 + y2) / 2 - 100) <= 1
    assert x1 == 74 and x2 == 126
    train = select_training_rois(_mask(200, 200, 90, 110, 80, 120)[None])
    assert box_sizes(train)[0].tolist() == [32, 60]


def test_sizes_are_multiples_of_4_and_inside_frame():
    g = torch.Generator().manual_seed(0)
    masks = torch.rand(20, 64, 96, generator=g) > 0.9995
    masks[:, 30, 40] = True
    boxes = select_inference_rois(masks)
    sizes = box_sizes(boxes)
    assert (sizes % 4 == 0).all()
    assert (boxes[:, :2] >= 0).all() and (boxes[:, 2] <= 96).all() and (boxes[:, 3] <= 64).all()


def test_minimum_size_from_frame0_box():
    first = torch.tensor([[0, 0, 60, 40]])
    boxes = select_inference_rois(_mask(200, 200, 100, 104, 100, 104)[None], first)
    x1, y1, x2, y2 = boxes[0].tolist()
    assert (x2 - x1, y2 - y1) == (60, 40)
    assert (x1 + x2) / 2 == 102 and (y1 + y2) / 2 == 102


def test_small_side_becomes_full_extent():
    # 8 px wide -> 10.4 px < 5 % of 400; height 100 -> 130 stays
    boxes = select_inference_rois(_mask(300, 400, 100, 200, 50, 58)[None])
    x1, y1, x2, y2 = boxes[0].tolist()
    assert (x1, x2) == (0, 400)
    assert y2 - y1 == 132
    train = select_training_rois(_mask(300, 400, 100, 200, 50, 58)[None])  # no min-side rule
    assert train[0].tolist() == [48, 74, 60, 226]  # 150 rows padded to 152


def test_clipped_to_frame_and_empty_is_whole_frame():
    masks = torch.stack([_mask(60, 80, 0, 30, 50, 80), torch.zeros(60, 80, dtype=torch.bool)])
    boxes = select_inference_rois(masks)
    assert boxes[0, 2] == 80 and boxes[0, 1] == 0
    assert boxes[1].tolist() == [0, 0, 80, 60]


def test_padding_overhangs_only_when_frame_is_too_small():
    boxes = pad_boxes(torch.tensor([[0, 0, 30, 18], [25, 3, 30, 9]]), (18, 30))
    assert boxes.tolist() == [[0, 0, 32, 20], [22, 2, 30, 10]]


def test_jitter_boxes_stay_in_frame_and_move():
    torch.manual_seed(0)
    boxes = torch.tensor([[10, 20, 50, 60], [0, 0, 64, 48], [60, 44, 64, 48]])
    assert torch.equal(jitter_boxes(boxes, (48, 64), 0.0), boxes)
    moved = 0
    for _ in range(50):
        out = jitter_boxes(boxes, (48, 64), 0.4)
        sizes = box_sizes(out)
        assert (out[:, :2] >= 0).all() and (out[:, 2] <= 64).all() and (out[:, 3] <= 48).all()
        assert (sizes >= 4).all() and (sizes % 4 == 0).all()
        moved += int(not torch.equal(out[0], boxes[0]))
    assert moved > 40

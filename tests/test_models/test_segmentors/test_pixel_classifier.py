"""A per-video pixel classifier along the objects' boundaries (test_cfg.pixel_classifier)."""
import cv2
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from shls.apis import VideoSegmenter
from shls.models.segmentors.pixel_classifier import (PixelMaps, RidgePixelClassifier,
                                                      build_pixel_classifier, fit_pixels)
from shls.utils.errors import ConfigError, UnknownNameError
from partition_kit import eq4_only_option, squares_clip, tiny_model

PIXELS = dict(type='RidgePixelClassifier', weight=0.5, post_weight=0.5, width=3,
              min_object_side=0.0, fit_width=6)


def _maps(label_map: torch.Tensor, seed: int = 0) -> PixelMaps:
    """Backbone-like maps of an ``(H, W)`` label map: L1 (stride 2) has a channel that
    says "object 1" and noise, L4 (stride 4) noise, the image noise."""
    g = torch.Generator().manual_seed(seed)
    h, w = label_map.shape
    small = F.interpolate(label_map[None, None].float(), size=(h // 2, w // 2),
                          mode='nearest')[0]
    l1 = torch.cat([(small == 1).float() + 0.1 * torch.randn(1, h // 2, w // 2, generator=g),
                    torch.randn(3, h // 2, w // 2, generator=g)])[None]
    l4 = torch.randn(1, 5, h // 4, w // 4, generator=g)
    return PixelMaps(l1, l4, torch.randn(1, 3, h, w, generator=g))


def _square(h: int = 48, w: int = 64) -> torch.Tensor:
    label_map = torch.zeros(h, w, dtype=torch.int64)
    label_map[12:36, 16:44] = 1
    return label_map


def test_fit_separates_the_classes_a_feature_tells_apart():
    label_map = _square()
    classifier = RidgePixelClassifier(fit_width=8)
    classifier.fit(_maps(label_map), label_map, torch.tensor([0, 1]))
    assert classifier.is_fitted
    probs = classifier.probabilities(_maps(label_map, seed=1))  # another "frame"
    assert probs.shape == (2, 48, 64)
    torch.testing.assert_close(probs.sum(dim=0), torch.ones(48, 64))
    # away from the stride-2 boundary the classes are right
    inner = torch.zeros(48, 64, dtype=torch.bool)
    inner[14:34, 18:42] = True
    outer = torch.ones(48, 64, dtype=torch.bool)
    outer[10:38, 14:46] = False
    assert (probs[1][inner] > 0.7).all() and (probs[0][outer] > 0.7).all()
    classifier.reset()
    assert not classifier.is_fitted


def test_the_folded_projections_equal_the_ridge_on_standardised_features():
    label_map = _square()
    maps = _maps(label_map)
    classifier = RidgePixelClassifier(fit_width=8, ridge=0.5)
    classifier.fit(maps, label_map, torch.tensor([0, 1]))
    # the same regression written out: standardise the ring's features, solve, score
    feats = classifier.features(maps).permute(1, 2, 0)  # (24, 32, D)
    small = label_map[::2, ::2]
    ring = torch.zeros_like(small, dtype=torch.bool)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (9, 9))  # fit_width 8 at stride 2
    for dy, dx in zip(*np.nonzero(kernel)):
        ring |= torch.roll(small, (int(dy) - 4, int(dx) - 4), (0, 1)) != small  # no wrap here
    x = feats[ring]
    mean, std = x.mean(0), x.std(0)
    design = torch.cat([(x - mean) / std, torch.ones(len(x), 1)], 1)
    y = F.one_hot(small[ring], 2).float()
    weights = torch.linalg.solve(design.T @ design + 0.5 * len(x) / 1000 * torch.eye(
        design.shape[1]), design.T @ y)
    scores = torch.cat([(feats - mean) / std, torch.ones(24, 32, 1)], -1) @ weights
    probs = scores.clamp(0, 1)
    probs = probs / probs.sum(-1, keepdim=True).clamp_min(1e-6)
    expected = F.interpolate(probs.permute(2, 0, 1)[None], size=(48, 64), mode='bilinear',
                             align_corners=False)[0]
    torch.testing.assert_close(classifier.probabilities(maps), expected, atol=1e-4, rtol=0)


def test_the_vote_mixes_only_in_the_band_before_and_after_the_filter():
    label_map = _square()
    maps = _maps(label_map)
    classes = torch.tensor([0, 1])
    classifier = RidgePixelClassifier(weight=0.5, post_weight=0.25, width=2,
                                      min_object_side=0.0)
    assert classifier.vote(maps, classes, 16.0) is None  # not fitted
    classifier.fit(maps, label_map, classes)
    probs = torch.full((1, 48, 64), 0.3)
    probs[:, 12:36, 16:44] = 0.7  # the background's map (the object's implied)
    vote = classifier.vote(maps, classes, 16.0)
    out = vote.before(probs)
    changed = (out != probs)[0]
    assert torch.equal(changed, vote.band)
    assert changed.any() and not changed[:9].any() and not changed[18:30, 21:39].any()
    pixels = classifier.probabilities(maps)
    torch.testing.assert_close(out[:, changed],
                               0.5 * probs[:, changed] + 0.5 * pixels[:1, changed])
    full = torch.cat([out, 1 - out])  # after the filter: every class
    after = vote.after(full)
    torch.testing.assert_close(after[:, changed],
                               0.75 * full[:, changed] + 0.25 * pixels[:, changed])
    assert torch.equal(after[:, ~changed], full[:, ~changed])
    # another set of classes (an object added since the fit), both shares 0
    assert classifier.vote(maps, torch.tensor([0, 1, 2]), 16.0) is None
    off = RidgePixelClassifier(weight=0.0)
    off.fit(maps, label_map, classes)
    assert off.vote(maps, classes, 16.0) is None
    # a small object gets no band: nothing changes
    small = RidgePixelClassifier(width=2, min_object_side=100.0, post_weight=0.5)
    small.fit(maps, label_map, classes)
    vote = small.vote(maps, classes, 16.0)
    assert torch.equal(vote.before(probs), probs) and torch.equal(vote.after(full), full)


def test_the_inner_share_mixes_inside_the_objects_beyond_the_band():
    label_map = _square()
    maps = _maps(label_map)
    classes = torch.tensor([0, 1])
    classifier = RidgePixelClassifier(weight=0.5, post_weight=0.25, width=2,
                                      min_object_side=0.0, inner_weight=0.3,
                                      inner_min_confidence=0.0)
    classifier.fit(maps, label_map, classes)
    probs = torch.full((1, 48, 64), 0.7)
    probs[:, 12:36, 16:44] = 0.3  # the background's map (the object's implied)
    vote = classifier.vote(maps, classes, 16.0)
    out = vote.before(probs)
    pixels = classifier.probabilities(maps)[:1]
    inside = torch.zeros(48, 64, dtype=torch.bool)
    inside[15:33, 19:41] = True  # the object's pixels more than 2 px from its boundary
    assert torch.equal(vote.inside, inside) and not (vote.band & inside).any()
    torch.testing.assert_close(out[:, inside], 0.7 * probs[:, inside] + 0.3 * pixels[:, inside])
    torch.testing.assert_close(out[:, vote.band],
                               0.5 * probs[:, vote.band] + 0.5 * pixels[:, vote.band])
    outside = ~(vote.band | inside)
    assert torch.equal(out[:, outside], probs[:, outside])
    full = torch.cat([out, 1 - out])  # the post-filter share stays in the band
    assert torch.equal(vote.after(full)[:, inside], full[:, inside])
    # only where the classifier is confident
    confident = RidgePixelClassifier(width=2, min_object_side=0.0, inner_weight=0.3,
                                     inner_min_confidence=0.9)
    confident.fit(maps, label_map, classes)
    vote = confident.vote(maps, classes, 16.0)
    vote.before(probs)
    sure = confident.probabilities(maps).max(dim=0).values > 0.9
    assert torch.equal(vote.inside, inside & sure) and 0 < sure[inside].sum() < inside.sum()
    # the inner share alone is a say of its own; without it nothing is mixed inside
    alone = RidgePixelClassifier(weight=0.0, inner_weight=0.3, width=2, min_object_side=0.0)
    alone.fit(maps, label_map, classes)
    assert alone.vote(maps, classes, 16.0) is not None
    plain = RidgePixelClassifier(weight=0.5, width=2, min_object_side=0.0)
    plain.fit(maps, label_map, classes)
    vote = plain.vote(maps, classes, 16.0)
    assert torch.equal(vote.before(probs)[:, inside], probs[:, inside]) and vote.inside is None


def test_a_frame_with_one_class_fits_nothing():
    classifier = RidgePixelClassifier()
    empty = torch.zeros(48, 64, dtype=torch.int64)
    classifier.fit(_maps(empty), empty, torch.tensor([0, 1]))
    assert not classifier.is_fitted


def test_the_fit_learns_from_both_sides_of_the_boundaries_but_not_from_void():
    labels = torch.zeros(12, 16, dtype=torch.int64)
    labels[4:8, 4:8] = 1
    labels[:, 14:] = 255  # void
    pixels = fit_pixels(labels, torch.tensor([0, 1]), 1)
    ring = torch.zeros(12, 16, dtype=torch.bool)
    ring[3:9, 3:9] = True
    ring[5:7, 5:7] = False  # two pixels inside: no other label within one pixel
    ring[:, 13] = True  # background next to the void strip
    ring[[3, 3, 8, 8], [3, 8, 3, 8]] = False  # the elliptic window's corners
    assert torch.equal(pixels, ring)
    # a fit with a void strip works and leaves it out
    label_map = _square()
    label_map[:, :8] = 255
    classifier = RidgePixelClassifier(fit_width=8)
    classifier.fit(_maps(label_map), label_map, torch.tensor([0, 1]))
    assert (classifier.probabilities(_maps(label_map))[1][14:34, 18:42] > 0.7).all()


def test_build_pixel_classifier():
    assert build_pixel_classifier(None) is None
    built = build_pixel_classifier(dict(type='RidgePixelClassifier', weight=0.3))
    assert isinstance(built, RidgePixelClassifier) and built.weight == 0.3
    for bad, match in ((dict(weight=0.5), "must be a dict with a 'type'"),
                       (dict(type='RidgePixelClassifier', weight=1.5), r'weight must be in'),
                       (dict(type='RidgePixelClassifier', post_weight=-0.1), 'post_weight'),
                       (dict(type='RidgePixelClassifier', inner_weight=True), 'inner_weight'),
                       (dict(type='RidgePixelClassifier', inner_min_confidence=2),
                        'inner_min_confidence'),
                       (dict(type='RidgePixelClassifier', width=0), 'width must be an int'),
                       (dict(type='RidgePixelClassifier', fit_width=2.5), 'fit_width must'),
                       (dict(type='RidgePixelClassifier', ridge=0), 'ridge > 0'),
                       (dict(type='RidgePixelClassifier', wieght=0.5), 'wieght')):
        with pytest.raises(ConfigError, match=match):
            build_pixel_classifier(bad)
    with pytest.raises(UnknownNameError, match='pixel_classifier: unknown type'):
        build_pixel_classifier(dict(type='NoSuchClassifier'))


def _run(seg, frames):
    return [seg.step(img, gt if t == 0 else None) for t, (img, gt) in enumerate(frames)]


@pytest.mark.parametrize('refine', [False, True])
def test_the_segmenter_fits_on_annotated_frames_and_mixes_on_predicted_ones(refine):
    model = tiny_model()
    plain = VideoSegmenter(model, refine=refine,
                           edge_aware=dict(type='GuidedFilterMask', scale=1.0))
    seg = VideoSegmenter(model, refine=refine, pixel_classifier=PIXELS,
                         edge_aware=dict(type='GuidedFilterMask', scale=1.0))
    frames = squares_clip()
    fits, mixed = [], []
    classifier = seg.core.pixel_classifier
    fit, vote = classifier.fit, classifier.vote
    classifier.fit = lambda *a: fits.append(a[2].tolist()) or fit(*a)

    def spy(*args):
        out = vote(*args)
        before = out.before

        def record(maps):
            result = before(maps)
            mixed.append(bool(out.band.any()))
            return result

        out.before = record
        return out

    classifier.vote = spy
    for a, b in zip(_run(plain, frames), _run(seg, frames)):
        assert (a != b).mean() < 0.05  # a few pixels along the boundaries at most
    assert fits == [[0, 1, 2]]  # the annotated frame, over the memory's classes
    # every predicted frame has a band (with the decoder on, its mask is the output and
    # this one only places the ROIs)
    assert mixed == [True] * (len(frames) - 1)
    assert plain.memory.num_entries == seg.memory.num_entries
    ctx = seg.encode(frames[1][0])
    # the backbone's maps as they are (shls_tiny: 8 / 16 channels), no meta channels
    assert ctx.pixel_maps.l1.shape[1] == 8 and ctx.pixel_maps.l4.shape[1] == 16
    assert plain.encode(frames[1][0]).pixel_maps is None
    seg.reset()
    assert not seg.core.pixel_classifier.is_fitted


def test_an_object_added_later_refits_over_every_class():
    model = tiny_model()
    seg = VideoSegmenter(model, refine=False, pixel_classifier=PIXELS)
    (img0, gt0), (img1, gt1), (img2, _) = squares_clip(3)
    seg.step(img0, np.where(gt0 == 2, 0, gt0))
    assert seg.core.pixel_classifier._fit.classes.tolist() == [0, 1]
    seg.step(img1, np.where(gt1 == 2, 2, 0), objects=[2])
    assert seg.core.pixel_classifier._fit.classes.tolist() == [0, 1, 2]
    assert set(np.unique(seg.step(img2))) <= {0, 1, 2}


def test_pixel_classifier_needs_eq4_and_is_a_config_option():
    seg = eq4_only_option('pixel_classifier', PIXELS)
    assert seg.core.pixel_classifier.width == 3 and seg.core.encoder.pixel_maps

"""The inference options (``model.test_cfg``) of :class:`~shls.apis.VideoSegmenter`:
defaults and checks."""
from typing import Optional

from shls.deployment.int8 import check_int8_setting
from shls.deployment.precision import check_precision_setting
from shls.models.memory.flow_prior import check_flow_prior
from shls.models.segmentors.boundary_band import build_boundary_band
from shls.models.segmentors.edge_aware import build_edge_aware
from shls.models.segmentors.one_shot import PRESEGMENTATIONS
from shls.models.segmentors.partitions import build_extra_partitions
from shls.models.segmentors.pixel_classifier import build_pixel_classifier
from shls.models.superpixels import SuperpixelGenerator
from shls.registry import build_component
from shls.utils.keys import check_known_keys
from shls.utils.errors import ConfigError

#: Inference options read from ``model.test_cfg`` (then from keyword overrides).
DEFAULT_TEST_CFG = dict(
    # 'eq4': argmax of S_k + L_k - max_{l!=k} S_l - max_{l!=k} L_l (paper, Eq. 4);
    # 'vote': the seed code's painted KNN vote + blob / convex-hull outlier filter.
    presegmentation='eq4',
    # 'vote' only: fraction of an object's previous mask a kept blob must overlap.
    outlier_min_overlap=0.05,
    # Class probabilities = softmax(Eq.-4 scores / T); they choose the confident
    # superfeatures that enter memory (MemoryBank.confidence_thr / _relative).
    confidence_temperature=0.1,
    # Add confident superfeatures of each predicted frame to memory.
    update_memory=True,
    # Centre the superfeatures and scale them to unit spread with the first frame's
    # statistics before the memory compares them by cosine.
    standardize_features=False,
    # A training-free descriptor concatenated to every superfeature, e.g.
    # dict(type='SuperpixelColourStats'); both blocks are then standardised.
    handcrafted=None,
    # Weights of the learned and the hand-crafted blocks after standardisation
    # (learned_weight=0 with a hand-crafted block and no decoder: the backbone is skipped,
    # the no-learning variant).
    learned_weight=1.0,
    handcrafted_weight=1.0,
    # Refine with the model's decoder when it has one (False: pre-segmentation only,
    # the same checkpoint; Table 1 ablation).
    refine=True,
    # Decode each object in its ROI; False: every object on the whole frame ("without
    # ROI" ablation).
    roi=True,
    # ROI = pre-segmentation box enlarged by roi_margin (0.3 = 15 % per side), never
    # smaller than the object's frame-0 ROI; sides below roi_min_side of the frame span
    # the whole frame; an empty pre-segmentation gives the whole frame.
    roi_margin=0.3,
    roi_min_side=0.05,
    # Decode ROIs with a longer side above this many pixels shrunk to it, logits resized
    # back (None: at full size, the paper). 256 = the size of the training clips.
    roi_max_side=None,
    # Segment at this fraction of the frame size (1.0 = native): frames and given masks
    # are resized down (area / nearest), the label maps back up (nearest). 0.5 at 480p
    # runs the whole pipeline at 240p, ~3-4x faster on a CPU.
    working_scale=1.0,
    # Mixed precision of the backbone, heads and decoder (shls.deployment.precision): False =
    # float32; 'auto' = float16 on CUDA, bfloat16 on a CPU only where a start-up probe
    # measures it faster than float32 (native bf16 kernels, e.g. AVX512-BF16), else
    # float32; True = forced (bfloat16 on a CPU, float16 on CUDA). Superfeatures are cast
    # back to float32 before the memory.
    autocast=False,
    # Float32 on a CPU: stride-1 3x3 convolutions of the backbone through NNPACK's
    # Winograd transform where this PyTorch has NNPACK and it measures faster: the whole
    # backbone against oneDNN channels-last once per process, then each layer once per
    # input shape (shls.deployment.winograd; relative error ~1e-6); False = oneDNN only.
    winograd=True,
    # On a CPU: the backbone in int8 (shls.deployment.int8: static quantization,
    # activations calibrated on 8 frames of the bundled clip): True = always, 'auto' =
    # where a start-up probe measures it faster (by 10 %) than the backbone in the
    # precision of `autocast` here, 'auto_float32' = as 'auto' but only in place of a
    # float32 backbone (a bfloat16 one is kept), False = never. Ignored on a GPU.
    int8=False,
    # Temporal prior (not in the paper): dict(margin=m, weight=w) lowers object k's Eq.-4
    # score of a superpixel by w per object size (sqrt of k's area) that its centre lies
    # beyond m object sizes from k's mask in the previous frame
    # (shls.models.memory.proximity_prior); None = off.
    proximity_prior=None,
    # Motion prior (not in the paper): dict(weight=w, scale=s, preset=p, occlusion_check=c,
    # pixel_weight=q) adds w times the fraction of each superpixel that the previous mask,
    # moved by DIS optical flow computed at s of the frame size with OpenCV's preset p
    # ('medium' by default, 'fast', 'ultrafast'), gives to each class, to its Eq.-4
    # scores; c=True (default False): where the forward flow does not undo the backward
    # one (background uncovered behind a moving object), the object the warp puts there
    # gives its bonus to every other class (shls.models.memory.flow_prior); q > 0 (default
    # 0, edge_aware only): the moved mask also joins the per-pixel probabilities before
    # the edge-aware step, (1 - q) P + q onehot, on the pixels it traces
    # (shls.models.memory.flow_pixel_prior); None = off.
    flow_prior=None,
    # Pixel masks that follow the frame's edges ('eq4' pre-segmentation): a registered
    # component, e.g. dict(type='GuidedFilterMask', radius=0.8, eps=0.16, scale=0.5), that
    # smooths the superpixel probabilities guided by the frame and takes the per-pixel
    # argmax (shls.models.segmentors.edge_aware); None = the superpixel labels painted.
    edge_aware=None,
    # More superpixel partitions of every predicted frame ('eq4' pre-segmentation): a
    # list of superpixel generator configs, e.g. the main SLIC on the frame shifted by
    # half its seed spacing (ShiftedSuperpixels). Each is pooled from the same backbone
    # maps and scored against the same memory; the mask is made from the class
    # probabilities of all partitions averaged per pixel, while the memory learns from
    # the main partition only (shls.models.segmentors.partitions); None = one partition.
    extra_partitions=None,
    # A finer partition along the objects' boundaries ('eq4' pre-segmentation; not in the
    # paper): dict(generator=G, width=w, min_object_side=s) segments every predicted frame
    # with G too, pools it from the same backbone maps and, within w pixels of each
    # object's boundary in the other partitions' mask (objects of at least s mean
    # superpixel sides across), scores its superpixels against the memory and adds their
    # probabilities to the per-pixel average as one more partition
    # (shls.models.segmentors.boundary_band); None = off.
    boundary_partition=None,
    # A per-video classifier of pixels ('eq4' pre-segmentation; not in the paper):
    # dict(type='RidgePixelClassifier', weight=q, width=w, ...) is fitted by ridge
    # regression on each annotated frame's backbone maps and colour near the objects'
    # boundaries; on predicted frames its class probabilities take a share q of the
    # per-pixel probabilities within w pixels of each object's boundary
    # (shls.models.segmentors.pixel_classifier); None = off.
    pixel_classifier=None,
    # Compute the next frame's superpixels in a background thread while the current
    # frame runs, when the stream loop announces it (VideoSegmenter.prefetch); the masks
    # are the same. False: every step computes its own (e.g. for a superpixel generator
    # that must not run in two threads at once).
    prefetch=True,
    # Superpixels of a box prompt's feature split (shls.apis.box_prompt.
    # feature_objectness: which superpixels in a box look unlike the frame around it,
    # GrabCut's seeds): a superpixel generator config, e.g. a more compact SLIC than the
    # test partition's (fewer bends along colour edges inside the object); None = the
    # test superpixels. Masks prompted by a mask never use it.
    prompt_superpixels=None,
)
#: Options that take a text (``'auto'``) besides a value of their default's type; their
#: values are checked by :func:`check_test_cfg`, not by the type of the default.
TEXT_OPTIONS = ('autocast', 'int8')
#: An example for the messages of a bad ``test_cfg.prompt_superpixels``.
PROMPT_SUPERPIXELS_EXAMPLE = ("dict(type='ResizedSuperpixels', scale=0.5, generator=dict("
                              "type='SLICSuperpixels', segment_area=100, compactness=20))")
#: Keys of ``model.test_cfg`` consumed by the model itself.
MODEL_TEST_CFG_KEYS = ('superpixels', )


def build_prompt_superpixels(cfg: Optional[dict]) -> Optional[SuperpixelGenerator]:
    """The generator of ``test_cfg.prompt_superpixels`` (None for None).

    Raises:
        ConfigError: Not a generator config, or a bad one.
    """
    if cfg is None:
        return None
    return build_component(cfg, 'test_cfg.prompt_superpixels', PROMPT_SUPERPIXELS_EXAMPLE)


def merge_test_cfg(model_cfg: dict, overrides: dict) -> dict:
    """Defaults <- ``model_cfg`` <- ``overrides``, unknown keys and values rejected.

    Args:
        model_cfg: The model's ``test_cfg`` (its :data:`MODEL_TEST_CFG_KEYS` skipped).
        overrides: Keyword overrides (keys of :data:`DEFAULT_TEST_CFG`).

    Returns:
        The merged options, every key of :data:`DEFAULT_TEST_CFG`.

    Raises:
        ValueError: An unknown key (with a suggestion) or a bad value.
    """
    cfg = dict(DEFAULT_TEST_CFG)
    for source, extra in ((model_cfg, MODEL_TEST_CFG_KEYS), (overrides, ())):
        options = {k: v for k, v in source.items() if k not in extra}
        check_known_keys(options, DEFAULT_TEST_CFG, 'test_cfg')
        cfg.update(options)
    check_test_cfg(cfg)
    return cfg


def check_test_cfg(cfg: dict) -> None:
    """Raise ConfigError unless every value of a merged ``test_cfg`` is valid."""
    if cfg['presegmentation'] not in PRESEGMENTATIONS:
        raise ConfigError(f"test_cfg.presegmentation must be one of {PRESEGMENTATIONS}, "
                          f"got {cfg['presegmentation']!r}")
    if not cfg['confidence_temperature'] > 0:
        raise ConfigError('test_cfg.confidence_temperature must be > 0')
    if not 0 <= cfg['outlier_min_overlap'] <= 1:
        raise ConfigError('test_cfg.outlier_min_overlap must be in [0, 1]')
    if not (cfg['roi_margin'] >= 0 and 0 <= cfg['roi_min_side'] <= 1):
        raise ConfigError('test_cfg needs roi_margin >= 0 and roi_min_side in [0, 1]')
    if cfg['roi_max_side'] is not None and not cfg['roi_max_side'] >= 4:
        raise ConfigError(f"test_cfg.roi_max_side must be None or >= 4, got "
                          f"{cfg['roi_max_side']!r}")
    check_precision_setting(cfg['autocast'])
    check_int8_setting(cfg['int8'])
    check_flow_prior(cfg['flow_prior'])
    build_edge_aware(cfg['edge_aware'])
    for key, builder in (('extra_partitions', build_extra_partitions),
                         ('boundary_partition', build_boundary_band),
                         ('pixel_classifier', build_pixel_classifier)):
        if builder(cfg[key]) and cfg['presegmentation'] != 'eq4':
            raise ConfigError(f"test_cfg.{key} needs presegmentation='eq4', got "
                              f"{cfg['presegmentation']!r}")
    build_prompt_superpixels(cfg['prompt_superpixels'])
    for key in ('winograd', 'prefetch'):
        if not isinstance(cfg[key], bool):
            raise ConfigError(f'test_cfg.{key} must be True or False, got {cfg[key]!r}')
    if not 0 < cfg['working_scale'] <= 1:
        raise ConfigError('test_cfg.working_scale must be in (0, 1], got '
                          f"{cfg['working_scale']!r}")

"""What the one-shot segmentation core knows about one frame, and its decision on it."""
from dataclasses import dataclass, field
from typing import List, NamedTuple, Optional

from torch import Tensor

from ..memory import MemoryReadout
from .partitions import Partition
from .pixel_classifier import PixelMaps
from .refiner import RefinedFrame


@dataclass
class FrameContext:
    """Everything known about the current frame when it is segmented.

    Attributes:
        index: Frame number since the video (or clip) started.
        image: ``(1, 3, H, W)`` normalised frame on the model's device (``None`` when the
            frame comes from precomputed maps, e.g. in stage-2 training).
        superpixels: ``(H, W)`` int64 ids ``0..M-1``.
        features: ``(M, D)`` superfeatures.
        readout: Memory scores of ``features`` (``None`` before the memory is queried).
        prev_mask: ``(H, W)`` int64 label map of the previous frame, or ``None``.
        l1: ``(1, C1 + 3, H, W)`` decoder maps (only when refining).
        l4: ``(1, C4 + 3, H/4, W/4)`` decoder maps (only when refining).
        warped_mask: ``(H, W)`` int64 previous mask moved onto this frame by optical flow
            (only with ``test_cfg.flow_prior``, from the second frame on).
        untraced: ``(H, W)`` bool pixels of ``warped_mask`` the flow cannot trace back
            (``flow_prior.occlusion_check``): an object warped there has left them.
        extra: The frame's extra partitions (``test_cfg.extra_partitions``; not on
            annotated frames), whose probabilities join the main partition's in the mask.
        boundary: The finer partition of ``test_cfg.boundary_partition`` (not on
            annotated frames), scored only along the objects' boundaries.
        pixel_maps: The backbone maps the pixel classifier reads
            (``test_cfg.pixel_classifier``; ``None`` when it is off).
    """

    index: int
    image: Optional[Tensor]
    superpixels: Tensor
    features: Tensor
    readout: Optional[MemoryReadout] = None
    prev_mask: Optional[Tensor] = None
    l1: Optional[Tensor] = None
    l4: Optional[Tensor] = None
    warped_mask: Optional[Tensor] = None
    untraced: Optional[Tensor] = None
    extra: List[Partition] = field(default_factory=list)
    boundary: Optional[Partition] = None
    pixel_maps: Optional[PixelMaps] = None

    @property
    def superpixel_area(self) -> float:
        """Mean area (pixels) of the main partition's superpixels."""
        return self.superpixels.numel() / max(1, len(self.features))


class Segmentation(NamedTuple):
    """The decision on one frame.

    Attributes:
        mask: ``(H, W)`` int64 object ids.
        labels: ``(M,)`` int64 class id of each superpixel, the pool it may join.
        probs: ``(M, C)`` class probabilities, columns = ``readout.classes`` (refined:
            the mean of the Eq.-5 probabilities over each superpixel).
        refined: The refinement decoder's output (Eq.-5 logits, the training signal), or
            ``None`` for a pre-segmentation.
    """

    mask: Tensor
    labels: Tensor
    probs: Tensor
    refined: Optional[RefinedFrame] = None

"""Encoding one frame for the one-shot core: superpixels, superfeatures, decoder maps and
descriptors (method.md §2-§4)."""
from contextlib import nullcontext
from typing import Callable, ContextManager, List, Optional, Sequence, Tuple

import numpy as np
import torch
from torch import Tensor, nn

from ..superpixels import SuperpixelGenerator
from .descriptors import SuperfeatureDescriber
from .frame_context import FrameContext
from .partitions import Partition
from .pixel_classifier import PixelMaps

#: ``stage(name)`` -> a context manager timing that stage (see ``StageTimer``).
StageHook = Callable[[str], ContextManager]


def no_stage(name: str) -> ContextManager:
    """The default :data:`StageHook`: times nothing."""
    return nullcontext()


def model_device(model: nn.Module) -> torch.device:
    """Where a model's parameters (or, without any, its buffers) live; CPU if neither."""
    tensor = next(iter(model.parameters()), None)
    if tensor is None:
        tensor = next(iter(model.buffers()), torch.empty(0))
    return tensor.device


class FrameEncoder:
    """Turns a frame into a :class:`FrameContext` (everything but the memory read-out).

    Inference encodes an RGB frame through the model (:meth:`encode`); stage-2 training
    takes the maps the model computed for a whole batch (:meth:`from_maps`). Both end in
    the same :class:`SuperfeatureDescriber`.

    Args:
        model: An ``SHLS`` model (``compute_superpixels``, ``data_preprocessor``,
            ``extract_superfeatures``; with ``with_maps`` ``extract_feature_maps``).
        describer: Turns learned superfeatures into the memory's descriptors.
        with_maps: Also give the decoder's L1 / L4 maps (when refining).
        uses_backbone: False for the no-learning variant (hand-crafted block only): the
            backbone is not run and the learned block is empty.
        channels_last: Feed the backbone a channels-last frame (oneDNN's fast layout).
        autocast: Context for the backbone and heads (mixed precision), e.g.
            :func:`shls.deployment.precision.autocast_context`.
        stage: Times the ``superpixels``, ``features`` and ``descriptors`` stages.
        extra_partitions: Generators of more partitions of every frame that is not
            annotated (``test_cfg.extra_partitions``), pooled from the same backbone
            maps into :attr:`FrameContext.extra`.
        boundary_partition: Generator of the finer partition of
            ``test_cfg.boundary_partition``, pooled the same way into
            :attr:`FrameContext.boundary` (``None``: none).
        pixel_maps: Keep the backbone maps in :attr:`FrameContext.pixel_maps` (for
            ``test_cfg.pixel_classifier``).
    """

    def __init__(self, model: nn.Module, describer: SuperfeatureDescriber,
                 with_maps: bool = False, uses_backbone: bool = True,
                 channels_last: bool = False,
                 autocast: Callable[[], ContextManager] = nullcontext,
                 stage: StageHook = no_stage,
                 extra_partitions: Sequence[SuperpixelGenerator] = (),
                 boundary_partition: Optional[SuperpixelGenerator] = None,
                 pixel_maps: bool = False) -> None:
        self.model = model
        self.describer = describer
        self.with_maps = with_maps
        self.uses_backbone = uses_backbone
        self.channels_last = channels_last
        self.autocast = autocast
        self.stage = stage
        self.extra_partitions = list(extra_partitions)
        self.boundary_partition = boundary_partition
        self.pixel_maps = pixel_maps and uses_backbone

    def partitions(self, rgb: np.ndarray) -> Tuple[np.ndarray, List[np.ndarray]]:
        """The superpixels of a frame that is not annotated: the main partition and the
        extra ones (what :meth:`encode` takes as ``superpixels`` and ``extra``)."""
        return self.model.compute_superpixels(rgb, None, test=True), self._extra_labels(rgb)

    def _extra_labels(self, rgb: np.ndarray) -> List[np.ndarray]:
        """The label maps of the extra partitions of ``rgb`` (the boundary partition's
        last)."""
        generators = list(self.extra_partitions)
        if self.boundary_partition is not None:
            generators.append(self.boundary_partition)
        return [generator(rgb) for generator in generators]

    def reset(self) -> None:
        """Forget the video (the descriptors' first-frame statistics)."""
        self.describer.reset()

    def encode(self, rgb: np.ndarray, cut: Optional[np.ndarray] = None,
               index: int = 0, superpixels: Optional[np.ndarray] = None,
               extra: Optional[Sequence[np.ndarray]] = None) -> FrameContext:
        """Superpixels (cut along ``cut`` if given), superfeatures and descriptors.

        Args:
            rgb: ``(H, W, 3)`` uint8 frame.
            cut: ``(H, W)`` ids to cut the superpixels along (an annotated frame).
            index: Frame number stored in the context.
            superpixels: The frame's test superpixels, already computed (what
                ``model.compute_superpixels(rgb, None, test=True)`` returns; not with
                ``cut``).
            extra: Its extra partitions, already computed (see :meth:`partitions`);
                computed here when ``None``. An annotated frame (``cut``) has none.

        Returns:
            The frame's :class:`FrameContext` (``l1`` / ``l4`` with :attr:`with_maps`).
        """
        device = model_device(self.model)
        with self.stage('superpixels'):
            if superpixels is None:
                superpixels = self.model.compute_superpixels(rgb, cut, test=True)
            elif cut is not None:
                raise ValueError('encode: give either cut or superpixels, not both')
            if cut is not None:
                extra = []
            elif extra is None:
                extra = self._extra_labels(rgb)
            spx, *extra_spx = (torch.from_numpy(labels).to(device=device, dtype=torch.int64)
                               for labels in (superpixels, *extra))
        with self.stage('features'), self.autocast():
            image = self._normalise(rgb, device)
            features, l1, l4, extra_features, pixel_maps = self._features(image, spx,
                                                                          extra_spx)
        with self.stage('descriptors'):
            features = self.describer(features, rgb, spx)
            parts = [Partition(labels, self.describer(feats, rgb, labels))
                     for labels, feats in zip(extra_spx, extra_features)]
        count = len(self.extra_partitions)
        return FrameContext(index, image, spx, features, l1=l1, l4=l4, extra=parts[:count],
                            boundary=parts[count] if len(parts) > count else None,
                            pixel_maps=pixel_maps)

    def from_maps(self, superpixels: Tensor, features: Tensor, l1: Tensor, l4: Tensor,
                  rgb: Optional[np.ndarray] = None, index: int = 0) -> FrameContext:
        """A frame whose superfeatures and decoder maps are already computed.

        Args:
            superpixels: ``(H, W)`` int64 ids ``0..M-1``.
            features: ``(M, S)`` learned superfeatures.
            l1: ``(1, C1 + 3, H, W)`` decoder maps.
            l4: ``(1, C4 + 3, h, w)`` decoder maps.
            rgb: ``(H, W, 3)`` uint8 frame (needed with a hand-crafted block).
            index: Frame number stored in the context.
        """
        features = self.describer(features, rgb, superpixels)
        return FrameContext(index, None, superpixels, features, l1=l1, l4=l4)

    def _normalise(self, rgb: np.ndarray, device: torch.device) -> Tensor:
        """``(H, W, 3)`` uint8 -> ``(1, 3, H, W)`` normalised, in the backbone's layout."""
        image = torch.from_numpy(rgb).to(device).permute(2, 0, 1)[None]
        image = self.model.data_preprocessor.normalize(image)
        if self.channels_last:
            image = image.contiguous(memory_format=torch.channels_last)
        return image

    def _features(self, image: Tensor, spx: Tensor, extra: Sequence[Tensor] = ()
                  ) -> Tuple[Tensor, Optional[Tensor], Optional[Tensor], List[Tensor],
                             Optional[PixelMaps]]:
        """``(features, l1, l4, extra features, pixel maps)`` in float32; the decoder maps
        ``None`` without :attr:`with_maps`, the pixel maps without :attr:`pixel_maps`."""
        l1 = l4 = pixel_maps = None
        if not self.uses_backbone:  # no-learning variant: colour block only
            features, *others = (image.new_zeros(int(s.max()) + 1, 0) for s in (spx, *extra))
        elif self.with_maps:
            maps = self.model.extract_feature_maps(image, spx[None],
                                                   [s[None] for s in extra])
            features, others = maps.features, list(maps.extra)
            l1, l4 = maps.l1.float(), maps.l4.float()
            if self.pixel_maps:  # without the three painted meta channels
                pixel_maps = PixelMaps(l1[:, :-3], l4[:, :-3], image)
        elif self.pixel_maps:
            (features, *others), raw1, raw4 = self.model.extract_superfeatures_and_maps(
                image, [s[None] for s in (spx, *extra)])
            pixel_maps = PixelMaps(raw1.float(), raw4.float(), image)
        elif not extra:
            features, _ = self.model.extract_superfeatures(image, spx[None])
            others = []
        else:
            features, *others = self.model.extract_superfeatures_multi(
                image, [s[None] for s in (spx, *extra)])
        return features.float(), l1, l4, [f.float() for f in others], pixel_maps

"""The SHLS superfeature memory: per-class pools, short-term KNN, long-term centroids."""
import math
from typing import Dict, Optional, Tuple, Union

import torch
import torch.nn.functional as F
from torch import Tensor

from shls.registry import MODELS
from shls.utils.errors import ConfigError
from .cluster_rule import ClusterRule
from .confidence import select_confident
from .kmeans import SphericalKMeans
from .knn import BaseKNNBackend, TorchKNNBackend
from .long_term import long_term_scores
from .pool import ClassPool
from .readout import MemoryReadout
from .short_term import short_term_scores, weighted_vote

CfgOrObj = Union[dict, object, None]


def _build(cfg: CfgOrObj, default_type: type) -> object:
    """Build a component from a config dict (``type`` optional) or pass an object through."""
    if cfg is None:
        cfg = {}
    if not isinstance(cfg, dict):
        return cfg
    cfg = dict(cfg)
    cfg.setdefault('type', default_type)
    return MODELS.build(cfg)


@MODELS.register_module()
class MemoryBank:
    """One pool of L2-normalised superfeatures per class (method.md §5).

    Class ``0`` is the background, ``1..K`` the objects; columns of every score matrix
    follow the sorted class ids (:attr:`classes`). State lives on the device of the
    features given to :meth:`fit`.

    Capping: a class with ``n_c`` superfeatures when it entered memory holds at most
    ``cap_factor * n_c`` entries, the first ``keep_factor * n_c`` kept for ever and the
    rest dropped oldest first. ``max_total`` additionally gives each class the share
    ``floor(max_total * n_c / sum(n))`` (at least 1) of an absolute budget, shrinking
    its protected part in the same ratio ``keep_factor / cap_factor``; a budget smaller
    than the frame-0 pools truncates them too. ``cap_factor=0`` or ``max_total=0``
    turns updates off (frame-0 memory only).

    Args:
        k: Neighbours of the short-term KNN (seed code: 2).
        ratio: Neighbour weight decay ``r``; weights ``r ** i`` (seed code: 0.5).
        cap_factor: Pool cap per class, in units of ``n_c`` (seed code: 10).
        keep_factor: Protected leading entries, in units of ``n_c`` (seed code: 5).
        max_total: Optional absolute cap over all pools (paper ablation: 1k..8k).
        cluster_rule: Config of :class:`ClusterRule` (``type`` optional) or an object
            mapping ``n_c`` to a number of clusters.
        kmeans: Config of :class:`SphericalKMeans` (``type`` optional) or an object.
        backend: Config of a KNN backend (default ``TorchKNNBackend``) or an object.
        confidence_thr: Threshold of :meth:`select_confident` and of float
            ``confidence`` given to :meth:`update`.
        confidence_relative: :meth:`select_confident` compares with the class mean
            (seed code's rule) instead of the absolute threshold.
    """

    def __init__(self, k: int = 2, ratio: float = 0.5, cap_factor: int = 10,
                 keep_factor: int = 5, max_total: Optional[int] = None,
                 cluster_rule: CfgOrObj = None, kmeans: CfgOrObj = None,
                 backend: CfgOrObj = None, confidence_thr: float = 0.4,
                 confidence_relative: bool = True) -> None:
        if k < 1 or not 0 < ratio <= 1:
            raise ConfigError(f'need k >= 1 and 0 < ratio <= 1, got k={k}, ratio={ratio}')
        if not 0 <= keep_factor <= cap_factor and cap_factor != 0:
            raise ConfigError(f'need 0 <= keep_factor <= cap_factor, got {keep_factor}, '
                              f'{cap_factor}')
        if max_total is not None and max_total < 0:
            raise ConfigError(f'max_total must be >= 0 or None, got {max_total}')
        self.k, self.ratio = int(k), float(ratio)
        self.cap_factor, self.keep_factor = int(cap_factor), int(keep_factor)
        self.max_total = None if max_total is None else int(max_total)
        self.cluster_rule = _build(cluster_rule, ClusterRule)
        self.kmeans = _build(kmeans, SphericalKMeans)
        self.backend: BaseKNNBackend = _build(backend, TorchKNNBackend)
        self.confidence_thr = float(confidence_thr)
        self.confidence_relative = bool(confidence_relative)
        self.reset()

    # ------------------------------------------------------------------ state
    def reset(self) -> None:
        """Forget everything (a new video)."""
        self._pools: Dict[int, ClassPool] = {}
        self._next_id = 0
        self._classes: Optional[Tensor] = None
        self._key_cols: Optional[Tensor] = None
        self._centroids: Optional[Tensor] = None
        self._centroid_cols: Optional[Tensor] = None

    @property
    def is_fitted(self) -> bool:
        """Whether :meth:`fit` has been called since the last :meth:`reset`."""
        return bool(self._pools)

    @property
    def updates_enabled(self) -> bool:
        """False when a zero cap freezes the memory at frame 0."""
        return self.cap_factor > 0 and self.max_total != 0

    @property
    def classes(self) -> Tensor:
        """``(C,)`` int64 class ids in column order."""
        self._check_fitted()
        return self._classes

    @property
    def num_entries(self) -> Dict[int, int]:
        """Stored superfeatures per class id."""
        return {c: len(p) for c, p in self._pools.items()}

    @property
    def total_entries(self) -> int:
        """Stored superfeatures over all classes."""
        return sum(len(p) for p in self._pools.values())

    @property
    def nbytes(self) -> int:
        """Footprint: pools, ids, centroids and the KNN index."""
        return sum(p.nbytes for p in self._pools.values()) + self.backend.nbytes

    def pool(self, class_id: int) -> ClassPool:
        """The pool of ``class_id`` (features, insertion ids, ``n_c``, centroids)."""
        return self._pools[int(class_id)]

    # ---------------------------------------------------------------- writing
    def fit(self, features: Tensor, labels: Tensor) -> None:
        """Start a new memory from the first frame's superfeatures.

        Args:
            features: ``(N, D)`` superfeatures (normalised here).
            labels: ``(N,)`` int64 class ids (``0`` = background).
        """
        self.reset()
        self.add_classes(features, labels)

    def add_classes(self, features: Tensor, labels: Tensor) -> None:
        """Add classes not yet in memory (e.g. an object first annotated on frame t).

        Each new class records its count here as ``n_c`` and is clustered from scratch;
        with ``max_total`` set, every class's share is recomputed.

        Args:
            features: ``(N, D)`` superfeatures of the new classes only.
            labels: ``(N,)`` int64 ids, none of them already in memory.
        """
        features, labels = self._prepare(features, labels)
        new = torch.unique(labels).tolist()
        known = sorted(set(new) & set(self._pools))
        if known:
            raise ValueError(f'classes {known} are already in memory; use update()')
        for c in new:
            feats = features[labels == c]
            ids = torch.arange(len(feats), device=feats.device) + self._next_id
            self._next_id += len(feats)
            self._pools[c] = ClassPool(feats, ids, num_first=len(feats))
        self._pools = dict(sorted(self._pools.items()))
        for c, pool in self._pools.items():
            dropped = self._apply_cap(pool)
            if c in new or dropped:
                self._cluster(c, pool, warm=c not in new)
        self._rebuild()

    def update(self, features: Tensor, labels: Tensor,
               confidence: Optional[Tensor] = None) -> None:
        """Add superfeatures to their classes' pools, cap them, warm-restart k-means.

        Args:
            features: ``(M, D)`` superfeatures.
            labels: ``(M,)`` int64 class ids, all already in memory.
            confidence: Optional ``(M,)`` bool mask, or float scores kept when
                ``>= confidence_thr``. ``None`` adds everything.
        """
        self._check_fitted()
        if not self.updates_enabled:
            return
        features, labels = self._prepare(features, labels)
        if confidence is not None:
            keep = confidence.to(labels.device)
            keep = keep if keep.dtype == torch.bool else keep >= self.confidence_thr
            features, labels = features[keep], labels[keep]
        self._columns(labels)  # validates the ids
        for c in torch.unique(labels).tolist():
            feats = features[labels == c]
            pool = self._pools[c]
            pool.append(feats, torch.arange(len(feats), device=feats.device) + self._next_id)
            self._next_id += len(feats)
            self._apply_cap(pool)
            self._cluster(c, pool, warm=True)
        if len(labels):
            self._rebuild()

    def select_confident(self, probs: Tensor, labels: Optional[Tensor] = None) -> Tensor:
        """Confidence mask from per-superpixel probabilities (see :func:`select_confident`).

        Args:
            probs: ``(M, C)`` class probabilities in :attr:`classes` column order.
            labels: Optional ``(M,)`` assigned class ids (e.g. the pre-segmentation);
                default: the most probable class.

        Returns:
            ``(M,)`` bool.
        """
        cols = None
        if labels is not None:
            cols = self._columns(labels.to(self._classes.device)).to(probs.device)
        return select_confident(probs, self.confidence_thr, cols, self.confidence_relative)

    # ---------------------------------------------------------------- reading
    def query(self, features: Tensor) -> MemoryReadout:
        """Short-term and long-term class scores of ``features``.

        Args:
            features: ``(M, D)`` superfeatures (normalised here).

        Returns:
            :class:`MemoryReadout` on ``features.device``.
        """
        self._check_fitted()
        device = features.device
        q = F.normalize(features.detach().to(self._classes.device, torch.float32), dim=1)
        num_classes = len(self._classes)
        sims, idx = self.backend.search(q, min(self.k, self._key_cols.numel()))
        short, votes = short_term_scores(sims, self._key_cols[idx], num_classes, self.ratio)
        vote = self._classes[weighted_vote(short, votes)]
        long = long_term_scores(q, self._centroids, self._centroid_cols, num_classes)
        return MemoryReadout(short.to(device), long.to(device), self._classes.to(device),
                             vote.to(device))

    # ---------------------------------------------------------------- helpers
    def _check_fitted(self) -> None:
        if not self.is_fitted:
            raise RuntimeError('the memory is empty: call fit() on the first frame first')

    def _prepare(self, features: Tensor, labels: Tensor) -> Tuple[Tensor, Tensor]:
        """Normalise, cast to float32 and move to the memory's device."""
        if features.ndim != 2 or labels.shape != features.shape[:1]:
            raise ValueError(f'expected features (N, D) and labels (N,), got '
                             f'{tuple(features.shape)} and {tuple(labels.shape)}')
        device = self._classes.device if self._classes is not None else features.device
        features = F.normalize(features.detach().to(device, torch.float32), dim=1)
        return features, labels.to(device, torch.int64)

    def _columns(self, labels: Tensor) -> Tensor:
        """Class ids -> columns; raises on ids not in memory."""
        cols = torch.searchsorted(self._classes, labels).clamp_max(len(self._classes) - 1)
        if not bool((self._classes[cols] == labels).all()):
            unknown = sorted(set(labels.tolist()) - set(self._pools))
            raise ValueError(f'classes {unknown} are not in memory; use add_classes()')
        return cols

    def _limits(self, pool: ClassPool) -> Tuple[int, int]:
        """``(cap, keep)`` of a pool under ``cap_factor``, ``keep_factor``, ``max_total``."""
        cap = self.cap_factor * pool.num_first
        keep = self.keep_factor * pool.num_first
        if self.max_total is not None:
            total_first = sum(p.num_first for p in self._pools.values())
            share = max(1, math.floor(self.max_total * pool.num_first / total_first))
            if share < cap:
                keep, cap = keep * share // cap, share
        return cap, min(keep, cap)

    def _apply_cap(self, pool: ClassPool) -> bool:
        if not self.updates_enabled:
            return False
        return pool.cap(*self._limits(pool))

    def _cluster(self, class_id: int, pool: ClassPool, warm: bool) -> None:
        init = pool.centroids if warm else None
        n_clusters = self.cluster_rule(pool.num_first)
        pool.centroids = self.kmeans(pool.features, n_clusters, class_id=class_id, init=init)

    def _rebuild(self) -> None:
        """Concatenate pools and centroids; rebuild the KNN index."""
        pools = list(self._pools.values())
        device = pools[0].features.device
        self._classes = torch.tensor(list(self._pools), dtype=torch.int64, device=device)
        sizes = torch.tensor([len(p) for p in pools], device=device)
        n_cent = torch.tensor([len(p.centroids) for p in pools], device=device)
        cols = torch.arange(len(pools), device=device)
        self._key_cols = cols.repeat_interleave(sizes)
        self._centroid_cols = cols.repeat_interleave(n_cent)
        self._centroids = torch.cat([p.centroids for p in pools])
        self.backend.build(torch.cat([p.features for p in pools]))

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(k={self.k}, ratio={self.ratio}, '
                f'cap_factor={self.cap_factor}, keep_factor={self.keep_factor}, '
                f'max_total={self.max_total}, cluster_rule={self.cluster_rule!r}, '
                f'kmeans={self.kmeans!r}, backend={self.backend!r})')

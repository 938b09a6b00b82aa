"""Exact inner-product KNN backends (keys and queries are L2-normalised rows)."""
from abc import ABCMeta, abstractmethod
from typing import Any, Optional, Tuple

import torch
from torch import Tensor

from shls.registry import MODELS
from shls.utils.errors import ConfigError


class BaseKNNBackend(metaclass=ABCMeta):
    """An exact top-k inner-product index, rebuilt whenever the memory changes."""

    @abstractmethod
    def build(self, keys: Tensor) -> None:
        """Index ``keys`` ``(N, D)``, replacing whatever was indexed before."""

    @abstractmethod
    def search(self, queries: Tensor, k: int) -> Tuple[Tensor, Tensor]:
        """Top-``k`` keys per query.

        Args:
            queries: ``(M, D)``.
            k: Neighbours per query, ``1 <= k <= N``.

        Returns:
            ``(sims (M, k) float32, idx (M, k) int64)`` on ``queries.device``, most
            similar first.
        """

    @property
    @abstractmethod
    def nbytes(self) -> int:
        """Bytes held by the index."""

    def __repr__(self) -> str:
        return f'{type(self).__name__}()'


@MODELS.register_module()
class TorchKNNBackend(BaseKNNBackend):
    """Matmul + ``topk`` on the keys' device, queries processed in chunks.

    The similarities are written into a scratch buffer kept between searches: a fresh
    ~50 MB tensor per frame (1,000 queries x 12,000 keys) costs more in page faults on a
    CPU than the matmul itself (~28 -> ~15 ms per search on 2 cores). On a CPU the
    queries also go in chunks whose similarities fit the cache (``cpu_chunk_elements``),
    so ``topk`` reads what the matmul has just written instead of main memory: 36 -> 15
    ms for that search on 2 AVX2 cores (README, "Since commit bfe4d75").

    Args:
        max_chunk_elements: Upper bound on ``queries_per_chunk * N`` similarities held
            at once (bounds peak memory for very large, uncapped memories); the scratch
            buffer kept is at most 1.25x this (4 bytes per element).
        cpu_chunk_elements: The same bound for keys on a CPU, sized to its cache (the
            default, 4 MB of float32: 2 / 4 / 8 / 16 MB took 16.2 / 15.0 / 15.0 / 20.5 ms
            for 1,000 queries x 12,000 keys on a CPU with 1 MB of L2 per core and a
            32 MB L3).
    """

    def __init__(self, max_chunk_elements: int = 1 << 26,
                 cpu_chunk_elements: int = 1 << 20) -> None:
        if max_chunk_elements < 1 or cpu_chunk_elements < 1:
            raise ConfigError('max_chunk_elements and cpu_chunk_elements must be >= 1, got '
                              f'{max_chunk_elements} and {cpu_chunk_elements}')
        self.max_chunk_elements = int(max_chunk_elements)
        self.cpu_chunk_elements = int(cpu_chunk_elements)
        self._keys: Optional[Tensor] = None
        self._scratch: Optional[Tensor] = None

    def build(self, keys: Tensor) -> None:
        self._keys = keys

    def search(self, queries: Tensor, k: int) -> Tuple[Tensor, Tensor]:
        if self._keys is None:
            raise RuntimeError('search() before build()')
        keys = self._keys
        num = keys.shape[0]
        budget = self.max_chunk_elements
        if keys.device.type == 'cpu':
            budget = min(budget, self.cpu_chunk_elements)
        chunk = max(1, budget // max(1, num))
        device = queries.device
        queries = queries.to(keys.device, keys.dtype)
        scratch = self._scratch_for(min(chunk, len(queries)) * num, keys)
        sims, idx = [], []
        grad = torch.is_grad_enabled() and (queries.requires_grad or keys.requires_grad)
        for q in queries.split(chunk):
            if grad:  # out= does not record gradients
                top = torch.topk(q @ keys.T, k, dim=1)
            else:
                out = scratch[:len(q) * num].view(len(q), num)
                top = torch.topk(torch.mm(q, keys.T, out=out), k, dim=1)
            sims.append(top.values)
            idx.append(top.indices)
        return torch.cat(sims).to(device), torch.cat(idx).to(device)

    def _scratch_for(self, numel: int, like: Tensor) -> Tensor:
        """A flat buffer of at least ``numel`` elements of ``like``'s dtype and device
        (grown with 25 % to spare: the memory grows by a few entries per frame)."""
        buf = self._scratch
        if (buf is None or buf.numel() < numel or buf.dtype != like.dtype
                or buf.device != like.device):
            self._scratch = buf = like.new_empty(numel + numel // 4)
        return buf

    @property
    def nbytes(self) -> int:
        return 0 if self._keys is None else self._keys.numel() * self._keys.element_size()


def import_faiss() -> Any:
    """Import faiss lazily, with a one-line hint when it is missing."""
    try:
        import faiss
    except ImportError as err:
        raise ImportError('FaissKNNBackend needs faiss: `pip install faiss-cpu` (or swap in '
                          'faiss-gpu), or use backend=dict(type="TorchKNNBackend")') from err
    return faiss


@MODELS.register_module()
class FaissKNNBackend(BaseKNNBackend):
    """faiss ``IndexFlatIP``; on a GPU only if faiss itself sees one.

    Keys on a CUDA device go to a faiss GPU index when ``faiss.get_num_gpus() > 0``,
    otherwise to a CPU index; results always come back on the queries' device.

    Args:
        use_gpu: Allow a faiss GPU index for CUDA keys.
    """

    def __init__(self, use_gpu: bool = True) -> None:
        self._faiss = import_faiss()
        self.use_gpu = bool(use_gpu)
        self._index = None
        self._gpu_resources = None

    def _wants_gpu(self, keys: Tensor) -> bool:
        num_gpus = getattr(self._faiss, 'get_num_gpus', lambda: 0)()
        return self.use_gpu and keys.is_cuda and num_gpus > 0

    def build(self, keys: Tensor) -> None:
        faiss = self._faiss
        index = faiss.IndexFlatIP(keys.shape[1])
        if self._wants_gpu(keys):
            if self._gpu_resources is None:
                self._gpu_resources = faiss.StandardGpuResources()
            index = faiss.index_cpu_to_gpu(self._gpu_resources, keys.device.index or 0, index)
        index.add(keys.detach().float().cpu().contiguous().numpy())
        self._index = index

    def search(self, queries: Tensor, k: int) -> Tuple[Tensor, Tensor]:
        if self._index is None:
            raise RuntimeError('search() before build()')
        q = queries.detach().float().cpu().contiguous().numpy()
        sims, idx = self._index.search(q, k)
        return (torch.from_numpy(sims).to(queries.device),
                torch.from_numpy(idx).long().to(queries.device))

    @property
    def nbytes(self) -> int:
        return 0 if self._index is None else self._index.ntotal * self._index.d * 4

    def __repr__(self) -> str:
        return f'{type(self).__name__}(use_gpu={self.use_gpu})'

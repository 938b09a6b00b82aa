"""KNN backends: torch vs faiss, faiss missing, CUDA."""
import sys

import pytest
import torch
import torch.nn.functional as F

from shls.models.memory import FaissKNNBackend, MemoryBank, TorchKNNBackend
from shls.registry import MODELS
from shls.utils.errors import ConfigError


def _data(seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    keys = F.normalize(torch.randn(500, 32, generator=g), dim=1)
    queries = F.normalize(torch.randn(100, 32, generator=g), dim=1)
    labels = torch.randint(0, 3, (500,), generator=g)
    return keys, queries, labels


@pytest.mark.parametrize('bound', ['max_chunk_elements', 'cpu_chunk_elements'])
def test_torch_backend_chunks_agree(bound):
    keys, queries, _ = _data()
    full = TorchKNNBackend(cpu_chunk_elements=1 << 30)  # one chunk
    chunked = TorchKNNBackend(**{bound: 1000})  # 2 queries per chunk
    full.build(keys)
    chunked.build(keys)
    (sims_a, idx_a), (sims_b, idx_b) = full.search(queries, 5), chunked.search(queries, 5)
    assert torch.allclose(sims_a, sims_b, atol=1e-6)  # BLAS may round differently
    assert torch.equal(idx_a, idx_b)


def test_torch_backend_refuses_empty_chunks():
    with pytest.raises(ConfigError, match='cpu_chunk_elements'):
        TorchKNNBackend(cpu_chunk_elements=0)


def test_torch_backend_scratch_reuse_gives_fresh_results():
    keys, queries, _ = _data()
    backend = TorchKNNBackend()
    for num in (100, 500, 300):  # the memory grows, then shrinks: the buffer is reused
        backend.build(keys[:num])
        sims, idx = backend.search(queries, 3)
        ref = torch.topk(queries @ keys[:num].T, 3, dim=1)
        assert torch.allclose(sims, ref.values, atol=1e-6)
        assert torch.equal(idx, ref.indices)
    first = backend.search(queries[:10], 2)[0]
    snapshot = first.clone()
    backend.search(-queries, 2)  # the next search must not overwrite returned values
    assert torch.equal(first, snapshot)
    grad_queries = queries.clone().requires_grad_(True)
    sims, _ = backend.search(grad_queries, 2)
    sims.sum().backward()
    assert grad_queries.grad is not None


def test_torch_and_faiss_agree():
    pytest.importorskip('faiss')
    keys, queries, labels = _data()
    backends = [MODELS.build(dict(type=t)) for t in ('TorchKNNBackend', 'FaissKNNBackend')]
    results = []
    for backend in backends:
        backend.build(keys)
        results.append(backend.search(queries, 5))
    assert torch.allclose(results[0][0], results[1][0], atol=1e-5)
    assert torch.equal(results[0][1], results[1][1])
    readouts = []
    for backend in ('TorchKNNBackend', 'FaissKNNBackend'):
        bank = MemoryBank(backend=dict(type=backend), kmeans=dict(num_restarts=1))
        bank.fit(keys, labels)
        readouts.append(bank.query(queries))
    assert torch.allclose(readouts[0].short, readouts[1].short, atol=1e-5)
    assert torch.equal(readouts[0].vote, readouts[1].vote)
    assert torch.equal(readouts[0].long, readouts[1].long)


def test_faiss_missing_error(monkeypatch):
    monkeypatch.setitem(sys.modules, 'faiss', None)  # makes `import faiss` fail
    with pytest.raises(ImportError, match='FaissKNNBackend needs faiss: `pip install faiss-cpu`'):
        FaissKNNBackend()
    with pytest.raises(ImportError, match='pip install faiss-cpu'):
        MemoryBank(backend=dict(type='FaissKNNBackend'))


@pytest.mark.skipif(not torch.cuda.is_available(), reason='needs CUDA')
@pytest.mark.parametrize('backend', ['TorchKNNBackend', 'FaissKNNBackend'])
def test_cuda_matches_cpu(backend):
    if backend == 'FaissKNNBackend':
        pytest.importorskip('faiss')
    keys, queries, labels = _data()
    readouts = []
    for device in ('cpu', 'cuda'):
        bank = MemoryBank(backend=dict(type=backend), kmeans=dict(num_restarts=2))
        bank.fit(keys.to(device), labels.to(device))
        bank.update(queries[:50].to(device), labels[:50].to(device))
        readout = bank.query(queries.to(device))
        assert readout.short.device.type == device and readout.vote.device.type == device
        assert bank.pool(1).centroids.device.type == device
        readouts.append([t.cpu() for t in readout])
    for cpu, cuda in zip(*readouts):
        assert torch.allclose(cpu.float(), cuda.float(), atol=1e-4)

"""Per-iteration seeds (resuming training reproduces each iteration's draws)."""
from types import SimpleNamespace

import torch

from shls.engine.hooks import IterationSeedHook, iteration_seed


def test_every_iteration_gets_its_own_reproducible_seed():
    assert iteration_seed(0, 5, 0) == iteration_seed(0, 5, 0)
    assert len({iteration_seed(0, 5, 0), iteration_seed(0, 6, 0), iteration_seed(0, 5, 1),
                iteration_seed(1, 5, 0)}) == 4
    hook = IterationSeedHook()
    draws = []
    for it in (3, 4, 3):
        torch.rand(7)  # whatever happened before does not matter
        hook.before_train_iter(SimpleNamespace(iter=it, seed=0), batch_idx=it)
        draws.append(torch.rand(2))
    assert torch.equal(draws[0], draws[2]) and not torch.equal(draws[0], draws[1])

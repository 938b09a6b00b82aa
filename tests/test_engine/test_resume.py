"""Resume bookkeeping: run fingerprints, the resume guard, per-iteration seeds."""
from types import SimpleNamespace

import torch
from torch import nn

from shls.datasets.mask_formats import writer_class
from shls.engine.hooks import IterationSeedHook, iteration_seed
from shls.engine.resume import ResumeGuard, run_fingerprint


def test_fingerprint_follows_weights_and_settings():
    model = nn.Linear(3, 2)
    base = run_fingerprint(model, dict(fmt='palette'))
    assert run_fingerprint(model, dict(fmt='palette')) == base
    assert run_fingerprint(model, dict(fmt='coco-rle')) != base
    with torch.no_grad():
        model.weight[0, 0] += 1e-6
    assert run_fingerprint(model, dict(fmt='palette')) != base


def test_guard_skips_only_complete_folders_of_the_same_run(tmp_path):
    writer = writer_class('palette')(str(tmp_path), run_id='run-a')
    writer.write('00000', torch.zeros(4, 4, dtype=torch.uint8).numpy())
    assert not ResumeGuard('run-a').done(str(tmp_path), 'palette', 1)  # no marker yet
    writer.close()
    assert ResumeGuard('run-a').done(str(tmp_path), 'palette', 1)
    assert not ResumeGuard('run-a', enabled=False).done(str(tmp_path), 'palette', 1)
    assert not ResumeGuard('run-b').done(str(tmp_path), 'palette', 1)
    assert not ResumeGuard('run-a').done(str(tmp_path), 'palette', 2)


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

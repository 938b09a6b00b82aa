"""Resume bookkeeping: run and data fingerprints, the resume guard."""
import os

import torch
from torch import nn

from shls.outputs.fingerprint import data_fingerprint, run_fingerprint
from shls.outputs.resume import ResumeGuard
from shls.outputs.writers import writer_class


def test_fingerprint_follows_weights_and_settings():
    model = nn.Linear(3, 2)
    base = run_fingerprint(model, dict(fmt='palette'))
    assert run_fingerprint(model, dict(fmt='palette')) == base
    assert run_fingerprint(model, dict(fmt='coco-rle')) != base
    with torch.no_grad():
        model.weight[0, 0] += 1e-6
    assert run_fingerprint(model, dict(fmt='palette')) != base


def test_guard_skips_only_complete_folders_of_the_same_run(tmp_path):
    frames = [tmp_path / 'data' / '00000.jpg']
    frames[0].parent.mkdir()
    frames[0].write_bytes(b'frame')
    out = tmp_path / 'out'
    out.mkdir()
    guard = ResumeGuard('run-a', data_root=str(tmp_path / 'data'))
    writer = writer_class('palette')(str(out), run_id=guard.video_id(frames, None))
    writer.write('00000', torch.zeros(4, 4, dtype=torch.uint8).numpy())
    assert not guard.done(str(out), 'palette', frames)  # no marker yet
    writer.close()
    assert guard.done(str(out), 'palette', frames)
    assert not ResumeGuard('run-a', enabled=False, data_root=str(tmp_path / 'data')).done(
        str(out), 'palette', frames)
    assert not ResumeGuard('run-b', data_root=str(tmp_path / 'data')).done(
        str(out), 'palette', frames)
    assert not guard.done(str(out), 'palette', frames * 2)
    assert not ResumeGuard('run-a', data_root=str(tmp_path)).done(str(out), 'palette', frames)
    frames[0].write_bytes(b'other frame')  # same name, other size
    assert not guard.done(str(out), 'palette', frames)


def test_data_fingerprint_follows_the_data(tmp_path):
    frame, mask = tmp_path / '00000.jpg', tmp_path / '00000.png'
    frame.write_bytes(b'abc')
    mask.write_bytes(b'mask')
    base = data_fingerprint([frame], mask, tmp_path)
    assert data_fingerprint([frame], mask, tmp_path) == base
    mask.write_bytes(b'MASK')  # same size, other bytes
    assert data_fingerprint([frame], mask, tmp_path)['first_mask'] != base['first_mask']
    os.utime(frame, ns=(1, 1))  # same bytes, other modification time
    assert data_fingerprint([frame], mask, tmp_path)['frames'] != base['frames']
    assert data_fingerprint([frame], mask, tmp_path / 'x')['root'] != base['root']

"""Tiny, valid inputs for the bad-input catalogue, and a way to call a tool in-process.

Every case of ``test_bad_inputs.py`` starts from these files and breaks one thing.
"""
import importlib.util
import os
import os.path as osp
import shutil
import sys
from pathlib import Path
from types import ModuleType
from typing import Dict, List, NamedTuple, Optional, Tuple

import cv2
import numpy as np
import torch
from mmengine.config import Config
from mmengine.logging import MMLogger

from shls.datasets import read_mask, write_palette_png
from shls.registry import MODELS
from shls.utils import register_all_modules

REPO = Path(__file__).resolve().parents[2]
TINY_CONFIG = REPO / 'tests' / 'fixtures' / 'configs' / 'shls_tiny.py'
DAVIS_BASE = REPO / 'configs' / '_base_' / 'datasets' / 'davis.py'
DAVIS_FIXTURE = REPO / 'tests' / 'fixtures' / 'davis'
SIZE = (96, 54)  # (W, H) of every kit frame
NUM_FRAMES = 4
_MODULES: Dict[str, ModuleType] = {}


class Kit(NamedTuple):
    """Paths of the valid inputs every case starts from."""

    root: Path
    frames: Path  # folder of NUM_FRAMES JPEGs
    first_mask: Path  # palette PNG, one object
    davis: Path  # DAVIS layout: blackswan + car-shadow, NUM_FRAMES frames each
    config: Path  # tiny model + DAVIS test pipeline
    checkpoint: Path  # random init of ``config``'s model


def small_frame(path: Path) -> np.ndarray:
    """A fixture frame resized to SIZE (BGR)."""
    return cv2.resize(cv2.imread(str(path)), SIZE, interpolation=cv2.INTER_AREA)


def small_mask(path: Path) -> np.ndarray:
    """A fixture annotation resized to SIZE (ids)."""
    return cv2.resize(read_mask(path), SIZE, interpolation=cv2.INTER_NEAREST)


def build_davis(dst: Path, sequences=('blackswan', 'car-shadow'),
                lengths: Optional[Dict[str, int]] = None) -> None:
    """A DAVIS root at SIZE with NUM_FRAMES frames per sequence (or ``lengths[seq]``,
    cycling through the 6 fixture frames)."""
    for seq in sequences:
        for kind in ('JPEGImages', 'Annotations'):
            (dst / kind / '480p' / seq).mkdir(parents=True, exist_ok=True)
        for t in range((lengths or {}).get(seq, NUM_FRAMES)):
            name, src = f'{t:05d}', f'{t % 6:05d}'
            cv2.imwrite(str(dst / 'JPEGImages' / '480p' / seq / f'{name}.jpg'),
                        small_frame(DAVIS_FIXTURE / 'JPEGImages' / '480p' / seq / f'{src}.jpg'))
            write_palette_png(dst / 'Annotations' / '480p' / seq / f'{name}.png',
                              small_mask(DAVIS_FIXTURE / 'Annotations' / '480p' / seq /
                                         f'{src}.png'))
    (dst / 'ImageSets' / '2017').mkdir(parents=True, exist_ok=True)
    (dst / 'ImageSets' / '2017' / 'val.txt').write_text('\n'.join(sequences) + '\n')


def save_random_checkpoint(config: Path, path: Path, seed: int = 0) -> None:
    """Save a random initialisation of ``config``'s model as an mmengine checkpoint."""
    register_all_modules(init_default_scope=False)
    torch.manual_seed(seed)
    model = MODELS.build(Config.fromfile(str(config)).model)
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, path)


def build_kit(root: Path) -> Kit:
    """Write every valid input under ``root``."""
    davis = root / 'davis'
    build_davis(davis)
    frames = root / 'clip'
    shutil.copytree(davis / 'JPEGImages' / '480p' / 'blackswan', frames)
    first = root / 'first.png'
    shutil.copy(davis / 'Annotations' / '480p' / 'blackswan' / '00000.png', first)
    config = root / 'tiny_davis.py'
    config.write_text(f'_base_ = [{str(TINY_CONFIG)!r}, {str(DAVIS_BASE)!r}]\n'
                      f'test_dataloader = dict(dataset=dict(data_root={str(davis)!r}))\n'
                      'test_cfg = dict(progress=False)\n')
    checkpoint = root / 'tiny.pth'
    save_random_checkpoint(config, checkpoint)
    return Kit(root, frames, first, davis, config, checkpoint)


def load_tool(name: str) -> ModuleType:
    """``tools/<name>.py`` as a module (loaded once)."""
    if name not in _MODULES:
        spec = importlib.util.spec_from_file_location(f'shls_tool_{name.replace("/", "_")}',
                                                      REPO / 'tools' / f'{name}.py')
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _MODULES[name] = module
    return _MODULES[name]


def call_tool(name: str, argv: List[str], monkeypatch, capsys) -> Tuple[int, str, str]:
    """Run ``tools/<name>.py`` with ``argv`` in this process.

    Returns:
        ``(exit code, stdout, stderr)``.
    """
    module = load_tool(name)
    MMLogger._instance_dict.clear()  # loggers of earlier runs write to closed captures
    monkeypatch.setattr(sys, 'argv', [f'{name}.py', *map(str, argv)])
    monkeypatch.setenv('OMP_NUM_THREADS', '1')
    code = module.main()
    out = capsys.readouterr()
    return code, out.out, out.err


def unwritable_dir(tmp_path: Path) -> Path:
    """A folder this process cannot create files in (root ignores mode bits: use /sys)."""
    if hasattr(os, 'geteuid') and os.geteuid() == 0:
        return Path('/sys/shls_cannot_write_here')
    folder = tmp_path / 'read_only'
    folder.mkdir()
    folder.chmod(0o555)
    return folder / 'out'


def truncate(path: Path, keep: float = 0.5) -> None:
    """Cut ``path`` to a fraction of its bytes."""
    data = path.read_bytes()
    path.write_bytes(data[:max(1, int(len(data) * keep))])


def listing(folder: Path) -> List[str]:
    """Every path under ``folder``, relative, sorted (to check that nothing was written)."""
    if not folder.exists():
        return []
    return sorted(osp.relpath(osp.join(d, f), folder) for d, _, files in os.walk(folder)
                  for f in files)

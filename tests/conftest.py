"""Shared fixtures: paths of the data bundled under tests/fixtures."""
import os.path as osp

import pytest

FIXTURES = osp.join(osp.dirname(osp.abspath(__file__)), 'fixtures')
REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


@pytest.fixture(scope='session')
def fixtures_dir() -> str:
    return FIXTURES


@pytest.fixture(scope='session')
def saliency_root() -> str:
    """8 still images + masks (images/, masks/)."""
    return osp.join(FIXTURES, 'saliency')


@pytest.fixture(scope='session')
def davis_root() -> str:
    """DAVIS layout, 2 sequences x 6 frames, DAVIS-2016 0/255 masks."""
    return osp.join(FIXTURES, 'davis')


@pytest.fixture(scope='session')
def repo_root() -> str:
    return REPO_ROOT


@pytest.fixture(autouse=True, scope='module')
def single_thread():
    """One intra-op thread: the suite runs many tiny tensor ops, and OpenMP spinning on
    a shared 2-core CPU makes them up to 40x slower with 2 threads."""
    import torch
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)

"""tune_malloc: once per process, opt-out by environment, glibc only."""
import importlib

import shls.deployment.allocator as allocator


def test_applied_once_and_the_result_is_kept(monkeypatch):
    module = importlib.reload(allocator)
    first = module.tune_malloc()
    assert first == (module._glibc() is not None)
    monkeypatch.setenv('SHLS_MALLOC_TUNING', '0')
    assert module.tune_malloc() is first  # decided once per process


def test_environment_turns_it_off(monkeypatch):
    module = importlib.reload(allocator)
    monkeypatch.setenv('SHLS_MALLOC_TUNING', '0')
    assert module.tune_malloc() is False
    importlib.reload(allocator)

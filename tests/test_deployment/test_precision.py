"""The run-time precision choice (shls.deployment.precision) and its one switch."""
import warnings

import pytest
import torch
from torch import nn

from shls.deployment import precision
from shls.deployment.precision import (ProbeResult, autocast_context, check_precision_setting,
                                 probe_cpu_bfloat16, resolve_autocast)


def small_backbone() -> nn.Module:
    return nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, 8, 3, 2, 1))


@pytest.fixture
def fake_probe(monkeypatch):
    """Replace the timed probe by a chosen result (the real probe is tested below)."""
    def set_result(fp32_ms: float, bf16_ms: float) -> None:
        monkeypatch.setattr(precision, 'probe_cpu_bfloat16',
                            lambda module: ProbeResult(fp32_ms, bf16_ms))
    return set_result


def test_false_is_float32_everywhere():
    assert resolve_autocast(False, 'cpu', small_backbone()) is None


@pytest.mark.parametrize('setting', [True, 'auto'])
def test_cuda_uses_float16(setting):
    assert resolve_autocast(setting, 'cuda', None) is torch.float16


def test_auto_takes_bfloat16_only_where_the_probe_says_it_is_faster(fake_probe):
    fake_probe(100.0, 40.0)
    assert resolve_autocast('auto', 'cpu', small_backbone()) is torch.bfloat16
    fake_probe(100.0, 500.0)   # emulated bfloat16 (an AVX2-only CPU)
    assert resolve_autocast('auto', 'cpu', small_backbone()) is None
    fake_probe(100.0, 95.0)    # within the noise margin: float32
    assert resolve_autocast('auto', 'cpu', small_backbone()) is None


def test_true_forces_bfloat16_with_a_warning_when_slower(fake_probe):
    fake_probe(100.0, 500.0)
    with pytest.warns(UserWarning, match='slower than float32'):
        assert resolve_autocast(True, 'cpu', small_backbone()) is torch.bfloat16
    fake_probe(100.0, 40.0)
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        assert resolve_autocast(True, 'cpu', small_backbone()) is torch.bfloat16


def test_auto_without_a_torch_backbone_keeps_float32():
    """An engine without parameters (ONNX Runtime) leaves nothing heavy in torch."""
    assert resolve_autocast('auto', 'cpu', None) is None
    assert resolve_autocast('auto', 'cpu', nn.Identity()) is None


@pytest.mark.parametrize('bad', ['yes', 1, None, 'bf16'])
def test_bad_settings_are_rejected(bad):
    with pytest.raises(ValueError, match="False, True or 'auto'"):
        check_precision_setting(bad)


def test_real_probe_is_timed_once_per_backbone_and_logged(monkeypatch):
    monkeypatch.setattr(precision, '_PROBES', {})
    logged = []
    monkeypatch.setattr(precision, 'print_log', lambda msg, logger: logged.append(msg))
    net = small_backbone()
    first = probe_cpu_bfloat16(net)
    assert first.float32_ms > 0 and first.bfloat16_ms > 0
    assert probe_cpu_bfloat16(net) is first           # cached
    assert probe_cpu_bfloat16(small_backbone()) is first  # same shapes, same answer
    assert len(logged) == 1 and 'precision: backbone probe' in logged[0]
    assert net.training  # the probe restores the mode


def test_autocast_context():
    with autocast_context('cpu', torch.bfloat16):
        assert torch.is_autocast_enabled('cpu')
    with autocast_context('cpu', None):
        assert not torch.is_autocast_enabled('cpu')


def test_probe_times_one_thread_by_its_cpu_time(monkeypatch):
    """Time spent descheduled (a machine busy with other jobs) must not count: the probe
    runs torch on one thread and reads that thread's CPU time; the thread count comes
    back afterwards."""
    monkeypatch.setattr(precision, '_PROBES', {})
    monkeypatch.setattr(precision, 'print_log', lambda msg, logger: None)
    seen = {}

    def fake_timing(calls, repeats=precision.PROBE_REPEATS, clock=None):
        seen['clock'], seen['threads'] = clock, torch.get_num_threads()
        return [10.0, 5.0][:len(calls)]

    monkeypatch.setattr(precision, 'interleaved_best_ms', fake_timing)
    threads = torch.get_num_threads()
    probe_cpu_bfloat16(small_backbone())
    assert seen['clock'] is precision.time.thread_time and seen['threads'] == 1
    assert torch.get_num_threads() == threads


def test_thread_time_ignores_sleep():
    import time
    slept, = precision.interleaved_best_ms([lambda: time.sleep(0.05)], repeats=1,
                                           clock=time.thread_time)
    assert slept < 20.0   # ms of CPU time, far below the 50 ms of wall time

"""StageTimer accumulates time and calls per stage."""
import time

from shls.utils.stage_timer import StageTimer


def test_stage_timer_accumulates_and_resets():
    timer = StageTimer()
    for _ in range(2):
        with timer('sleep'):
            time.sleep(0.01)
    with timer('noop'):
        pass
    assert timer.calls == {'sleep': 2, 'noop': 1}
    assert timer.seconds['sleep'] >= 0.02 > timer.seconds['noop']
    assert timer.per_call_ms()['sleep'] >= 10.0
    timer.reset()
    assert not timer.seconds and not timer.calls


def test_stage_timer_counts_a_failing_stage():
    timer = StageTimer()
    try:
        with timer('boom'):
            raise KeyError('x')
    except KeyError:
        pass
    assert timer.calls['boom'] == 1

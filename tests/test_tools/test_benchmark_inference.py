"""tools/analysis/benchmark_inference.py prints per-stage times and the bank size."""
import os.path as osp

from .conftest import run_tool

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TINY_CONFIG = osp.join(REPO, 'tests', 'fixtures', 'configs', 'shls_tiny.py')


def test_benchmark_inference_on_the_fixture_clip(davis_root):
    seq = osp.join(davis_root, 'JPEGImages', '480p', 'blackswan')
    mask = osp.join(davis_root, 'Annotations', '480p', 'blackswan', '00000.png')
    proc = run_tool(REPO, ['tools/analysis/benchmark_inference.py', '--input', seq, '--mask',
                           mask, '--config', TINY_CONFIG, '--checkpoint', 'none',
                           '--max-frames', '4', '--warmup', '1', '--threads', '1'])
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout
    for stage in ('superpixels', 'features', 'memory_query', 'end to end', 'memory bank:'):
        assert stage in out
    assert '4 frames (2 timed)' in out


def test_benchmark_inference_needs_enough_frames(davis_root):
    seq = osp.join(davis_root, 'JPEGImages', '480p', 'blackswan')
    mask = osp.join(davis_root, 'Annotations', '480p', 'blackswan', '00000.png')
    proc = run_tool(REPO, ['tools/analysis/benchmark_inference.py', '--input', seq, '--mask',
                           mask, '--config', TINY_CONFIG, '--checkpoint', 'none',
                           '--max-frames', '2', '--warmup', '3'])
    assert proc.returncode != 0 and proc.stderr.strip().startswith('error:')

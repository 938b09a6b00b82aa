"""tools/analysis/benchmark_inference.py prints per-stage times and the bank size."""
import os.path as osp

from .conftest import run_tool

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TINY_CONFIG = osp.join(REPO, 'tests', 'fixtures', 'configs', 'shls_tiny.py')


def test_benchmark_inference_compares_engines_on_the_fixture_clip(davis_root, tmp_path):
    seq = osp.join(davis_root, 'JPEGImages', '480p', 'blackswan')
    mask = osp.join(davis_root, 'Annotations', '480p', 'blackswan', '00000.png')
    proc = run_tool(REPO, ['tools/analysis/benchmark_inference.py', '--input', seq, '--mask',
                           mask, '--config', TINY_CONFIG, '--checkpoint', 'none',
                           '--max-frames', '4', '--warmup', '1', '--threads', '1',
                           '--variants', 'pytorch-fp32', 'onnxruntime-fp32',
                           '--cache', str(tmp_path), '--davis', davis_root])
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout
    assert out.startswith('CPU: ') and '1 threads' in out.splitlines()[0]
    lines = {line.split()[0]: line.split()[1:] for line in out.splitlines() if line.strip()}
    assert lines['ms'] == ['per', 'frame', 'pytorch-fp32', 'onnxruntime-fp32']
    for stage in ('superpixels', 'features', 'memory_query', 'frames/s'):
        values = [float(v) for v in lines[stage]]
        assert len(values) == 2 and all(v > 0 for v in values), (stage, values)
    jf = [float(v) for v in lines['J&F-Mean']]
    assert len(jf) == 2 and abs(jf[0] - jf[1]) < 1.0  # same weights, (nearly) same masks
    assert 'memory bank:' in out


def test_benchmark_inference_needs_enough_frames(davis_root):
    seq = osp.join(davis_root, 'JPEGImages', '480p', 'blackswan')
    mask = osp.join(davis_root, 'Annotations', '480p', 'blackswan', '00000.png')
    proc = run_tool(REPO, ['tools/analysis/benchmark_inference.py', '--input', seq, '--mask',
                           mask, '--config', TINY_CONFIG, '--checkpoint', 'none',
                           '--max-frames', '2', '--warmup', '3'])
    assert proc.returncode != 0 and proc.stderr.strip().startswith('error:')


def test_benchmark_inference_measures_the_fast_model(davis_root):
    seq = osp.join(davis_root, 'JPEGImages', '480p', 'blackswan')
    mask = osp.join(davis_root, 'Annotations', '480p', 'blackswan', '00000.png')
    proc = run_tool(REPO, ['tools/analysis/benchmark_inference.py', '--input', seq, '--mask',
                           mask, '--model', 'fast', '--max-frames', '4', '--warmup', '1',
                           '--threads', '1', '--variants', 'default', 'pytorch-int8'])
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert 'shls_r18-w16_slic_1xb1-1k_saliency-256_cpu_fp16.pth' in proc.stdout + proc.stderr
    header, *_ = [line for line in proc.stdout.splitlines() if line.startswith('ms per frame')]
    assert header.split()[3:] == ['default', 'pytorch-int8']
    assert all(float(v) > 0 for v in proc.stdout.split('end to end')[1].split()[:2])

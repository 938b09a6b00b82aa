"""tools/analysis/benchmark_long_video.py: a short run on the tiny model, and its helpers."""
import csv
import importlib.util
import os.path as osp

import pytest

from .conftest import run_tool

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOOL = osp.join('tools', 'analysis', 'benchmark_long_video.py')
TINY_CONFIG = osp.join(REPO, 'tests', 'fixtures', 'configs', 'shls_tiny.py')


def load_tool():
    spec = importlib.util.spec_from_file_location('shls_long_video_tool', osp.join(REPO, TOOL))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_pingpong_index_plays_back_and_forth():
    tool = load_tool()
    assert [tool.pingpong_index(i, 4) for i in range(10)] == [0, 1, 2, 3, 2, 1, 0, 1, 2, 3]
    assert [tool.pingpong_index(i, 1) for i in range(3)] == [0, 0, 0]


def test_frames_are_read_lazily(davis_root):
    tool = load_tool()
    seq = osp.join(davis_root, 'JPEGImages', '480p', 'blackswan')
    from shls.apis import list_frame_files
    source = tool.PingPongFrames(list_frame_files(seq), num_frames=8, scale=0.25)
    frames = iter(source)
    first = next(frames)
    assert len(source) == 8 and first.shape == (120, 214, 3) and first.dtype.name == 'uint8'
    assert sum(1 for _ in frames) == 7


def test_short_run_on_the_tiny_model(davis_root, tmp_path):
    seq = osp.join(davis_root, 'JPEGImages', '480p', 'blackswan')
    mask = osp.join(davis_root, 'Annotations', '480p', 'blackswan', '00000.png')
    out = tmp_path / 'report.csv'
    proc = run_tool(REPO, [TOOL, TINY_CONFIG, '--sequence', seq, '--mask', mask,
                           '--frames', '5', '15', '30', '--scale', '0.25', '--no-progress',
                           '--csv', str(out), '--cfg-options',
                           'model.memory.cap_factor=3', 'model.memory.keep_factor=1'])
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert '30 frames of 214x120' in proc.stdout
    with open(out) as f:
        rows = list(csv.DictReader(f))
    assert [int(r['frames']) for r in rows] == [5, 15, 30]
    for row in rows:
        assert float(row['peak RSS MB']) > 10 and int(row['bank entries']) > 0
        assert float(row['bank MB']) > 0 and float(row['frames/s']) > 0
    assert float(rows[-1]['peak RSS MB']) >= float(rows[0]['peak RSS MB'])


def test_bad_option_is_one_line(davis_root):
    proc = run_tool(REPO, [TOOL, TINY_CONFIG, '--frames', '3', '--sequence',
                           osp.join(davis_root, 'missing')])
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1].startswith('error: InputNotFoundError: frame folder not found')


@pytest.mark.parametrize('scale', [0.0, -1.0])
def test_scale_must_be_positive(scale, capsys):
    with pytest.raises(SystemExit):
        load_tool().parse_args([TINY_CONFIG, '--scale', str(scale)])

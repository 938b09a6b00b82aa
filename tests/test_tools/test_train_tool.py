"""tools/train.py and tools/dist_train.sh end to end with the real mmengine Runner."""
import glob
import os.path as osp
import re
import shutil

import cv2
import numpy as np
import pytest

from .conftest import CPU_CONFIG, TINY_OPTIONS, run_tool

STAGE2_CONFIG = 'configs/shls/shls_r18-w32_slic_1xb1-1k_saliency-256_cpu_refine-stage2.py'
SUPCON_CONFIG = 'configs/shls/shls_r18-w32_slic_1xb1-1k_saliency-256_cpu_supcon.py'
STAGE2_CHECKPOINT = ('checkpoints/'
                     'shls_r18-w32_slic_1xb1-1k_saliency-256_cpu_refine-stage2_fp16.pth')


def _train(repo_root, saliency_root, work_dir, iters, extra=(), launcher=None, env=None):
    opts = TINY_OPTIONS + [f'train_cfg.max_iters={iters}', 'train_cfg.val_interval=2',
                           'default_hooks.checkpoint.interval=2'] + list(extra)
    args = ['tools/train.py', CPU_CONFIG, '--data-root', saliency_root, '--work-dir',
            str(work_dir), '--cfg-options'] + opts
    if launcher:
        args = ['bash', 'tools/dist_train.sh', CPU_CONFIG, '2'] + args[2:]
    return run_tool(repo_root, args, env=env)


def _logged_iters(text):
    return [int(m) for m in re.findall(r'Iter\(train\) \[\s*(\d+)/', text)]


def test_two_iterations_write_checkpoint_and_validate(repo_root, saliency_root, tmp_path):
    res = _train(repo_root, saliency_root, tmp_path, iters=2)
    assert res.returncode == 0, res.stderr[-2000:]
    out = res.stdout + res.stderr
    assert _logged_iters(out) == [1, 2]
    assert 'loss_contrastive' in out and 'knn_acc' in out
    assert re.search(r'knn/accuracy: \d+\.\d+', out)
    assert osp.isfile(tmp_path / 'iter_2.pth')


def test_two_stage2_iterations_of_the_shipped_config(repo_root, saliency_root, tmp_path):
    """Stage 2 (the one-shot core run as at test time) through tools/train.py."""
    res = run_tool(repo_root, [
        'tools/train.py', STAGE2_CONFIG, '--data-root', saliency_root, '--work-dir',
        str(tmp_path), '--cfg-options'] + TINY_OPTIONS + [
        'train_cfg.max_iters=2', 'train_cfg.val_interval=2',
        'default_hooks.checkpoint.interval=2', f'load_from={STAGE2_CHECKPOINT}'])
    assert res.returncode == 0, res.stderr[-2000:]
    out = res.stdout + res.stderr
    assert _logged_iters(out) == [1, 2]
    assert 'loss_refine' in out and 'loss_contrastive' not in out
    assert osp.isfile(tmp_path / 'iter_2.pth')


@pytest.mark.parametrize('config, swap', [
    (CPU_CONFIG, ["model.loss={'type': 'SupConLoss', 'temperature': 0.1}"]),
    (SUPCON_CONFIG, []),
], ids=['cfg-options', 'supcon-config'])
def test_one_step_with_the_supcon_loss(repo_root, saliency_root, tmp_path, config, swap):
    opts = TINY_OPTIONS + ['train_cfg.max_iters=1', 'train_cfg.val_interval=2'] + swap
    res = run_tool(repo_root, ['tools/train.py', config, '--data-root', saliency_root,
                               '--work-dir', str(tmp_path), '--cfg-options'] + opts)
    assert res.returncode == 0, res.stderr[-2000:]
    out = res.stdout + res.stderr
    assert _logged_iters(out) == [1]
    loss = re.search(r'loss_contrastive: (\d+\.\d+)', out)
    assert loss and float(loss.group(1)) > 0
    assert osp.isfile(tmp_path / 'iter_1.pth')
    dumped = glob.glob(str(tmp_path / '*.py'))  # the merged config the run used
    assert len(dumped) == 1
    text = open(dumped[0]).read()
    assert "type='SupConLoss'" in text and 'partners_per_anchor' not in text


def test_resume_continues_at_the_right_iteration(repo_root, saliency_root, tmp_path):
    first = _train(repo_root, saliency_root, tmp_path, iters=4)
    assert first.returncode == 0, first.stderr[-2000:]
    second = run_tool(repo_root, [
        'tools/train.py', CPU_CONFIG, '--data-root', saliency_root, '--work-dir',
        str(tmp_path), '--resume', '--cfg-options'] + TINY_OPTIONS + [
        'train_cfg.max_iters=6', 'train_cfg.val_interval=2',
        'default_hooks.checkpoint.interval=2'])
    assert second.returncode == 0, second.stderr[-2000:]
    out = second.stdout + second.stderr
    assert 'resumed' in out.lower()
    assert _logged_iters(out) == [5, 6]
    assert osp.isfile(tmp_path / 'iter_6.pth')


def test_two_process_gloo_training(repo_root, saliency_root, tmp_path, free_port):
    res = _train(repo_root, saliency_root, tmp_path, iters=2, launcher='pytorch',
                 env={'PORT': free_port})
    assert res.returncode == 0, res.stderr[-3000:]
    out = res.stdout + res.stderr
    assert 'Distributed training: True' in out
    # 2 ranks x 1 clip per iteration: the val split (2 clips) is shared without duplicates
    assert re.search(r'Iter\(val\) \[1/1\]', out)
    assert osp.isfile(tmp_path / 'iter_2.pth')


@pytest.mark.parametrize('option, message', [
    ('train_cfg.max_iter=3', "unknown config key 'train_cfg.max_iter' (did you mean "
                             "'max_iters'?)"),
    ('model.backbone.depth=50', "unknown config key 'model.backbone.depth'"),
    ('no_such_key=1', "unknown config key 'no_such_key'"),
])
def test_unknown_config_key(repo_root, saliency_root, tmp_path, option, message):
    res = run_tool(repo_root, ['tools/train.py', CPU_CONFIG, '--work-dir', str(tmp_path),
                               '--cfg-options', option])
    assert res.returncode == 2
    assert res.stderr.strip().splitlines() == [f'error: ConfigError: {message}']


def test_missing_config(repo_root, tmp_path):
    res = run_tool(repo_root, ['tools/train.py', 'configs/does_not_exist.py'])
    assert res.returncode == 2
    assert res.stderr.strip() == ('error: ConfigError: config file configs/does_not_exist.py '
                                  'does not exist')


def _copy_pairs(src, dst, stems):
    for sub in ('images', 'masks'):
        (dst / sub).mkdir(parents=True, exist_ok=True)
    for stem in stems:
        shutil.copy(osp.join(src, 'images', stem + '.jpg'), dst / 'images')
        shutil.copy(osp.join(src, 'masks', stem + '.png'), dst / 'masks')


def _stems(saliency_root):
    return sorted(osp.splitext(osp.basename(p))[0]
                  for p in glob.glob(osp.join(saliency_root, 'images', '*.jpg')))


def _bad_root_cases(saliency_root, root):
    stems = _stems(saliency_root)
    _copy_pairs(saliency_root, root, stems[:4])
    return stems[0]


@pytest.mark.parametrize('case', ['image_without_mask', 'mask_of_other_size', 'empty_folder',
                                  'corrupt_image'])
def test_bad_training_data_gives_one_line_error(repo_root, saliency_root, tmp_path, case):
    root = tmp_path / 'data'
    stem = _bad_root_cases(saliency_root, root)
    if case == 'image_without_mask':
        (root / 'masks' / f'{stem}.png').unlink()
        expected = f'{stem}.jpg'
    elif case == 'mask_of_other_size':
        mask = cv2.imread(str(root / 'masks' / f'{stem}.png'), cv2.IMREAD_GRAYSCALE)
        cv2.imwrite(str(root / 'masks' / f'{stem}.png'), cv2.resize(mask, (50, 40)))
        expected = f'{stem}.png'
    elif case == 'empty_folder':
        for p in (root / 'images').iterdir():
            p.unlink()
        expected = 'images'
    else:
        (root / 'images' / f'{stem}.jpg').write_bytes(b'\xff\xd8\xff\xe0 not really a jpeg')
        expected = f'{stem}.jpg'
    opts = TINY_OPTIONS + ['train_dataloader.dataset.holdout=0',
                           'val_dataloader.dataset.holdout=3', 'train_cfg.max_iters=8']
    res = run_tool(repo_root, ['tools/train.py', CPU_CONFIG, '--data-root', str(root),
                               '--work-dir', str(tmp_path / 'wd'), '--cfg-options'] + opts)
    assert res.returncode == 2, res.stderr[-2000:]
    lines = res.stderr.strip().splitlines()
    assert lines[-1].startswith('error: ') and expected in lines[-1], lines[-3:]
    assert 'Traceback' not in res.stderr
    assert not np.any([osp.basename(p).startswith('iter_')
                       for p in glob.glob(str(tmp_path / 'wd' / '*.pth'))])

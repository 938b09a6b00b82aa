"""Seconds per training iteration and peak memory of a training config.

Builds the model, the training dataset and the optimiser from CONFIG exactly as the
Runner would, then times ``--iters`` training steps (after ``--warmup``), split into data
(synthesis + loading), superpixels and the model step (forward + backward + update).

Example:
    python tools/analysis/benchmark_train.py \\
        configs/shls/shls_r18-w32_slic_1xb1-2k_saliency-256.py --data-root tests/fixtures/saliency
"""
import argparse
import os.path as osp
import platform
import resource
import sys
import time

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

import numpy as np  # noqa: E402
import torch  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument('config', help='training config')
    parser.add_argument('--data-root', help='override the training data_root')
    parser.add_argument('--iters', type=int, default=10, help='timed iterations')
    parser.add_argument('--warmup', type=int, default=2, help='untimed iterations')
    parser.add_argument('--threads', type=int, default=None, help='torch threads')
    parser.add_argument('--device', default='cpu', help='cpu or cuda')
    parser.add_argument('--cfg-options', nargs='+', default=[], metavar='KEY=VALUE')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    from mmengine.dataset import pseudo_collate
    from mmengine.optim import build_optim_wrapper

    from shls.registry import DATASETS, MODELS
    from shls.utils import load_config, register_all_modules
    register_all_modules()
    if args.threads:
        torch.set_num_threads(args.threads)
    cfg = load_config(args.config, args.cfg_options)
    ds_cfg = cfg.train_dataloader.dataset
    if args.data_root:
        ds_cfg.data_root = args.data_root
    dataset = DATASETS.build(ds_cfg)
    model = MODELS.build(cfg.model).to(args.device).train()
    optim = build_optim_wrapper(model, cfg.optim_wrapper)
    times = {'data': [], 'superpixels': [], 'step': []}
    for it in range(args.warmup + args.iters):
        t0 = time.perf_counter()
        batch = pseudo_collate([dataset[it]])
        t1 = time.perf_counter()
        data = model.data_preprocessor(batch, True)
        model._add_missing_superpixels(data['inputs'], data['data_samples'])
        t2 = time.perf_counter()
        losses = model(**data, mode='loss')
        loss, _ = model.parse_losses(losses)
        optim.update_params(loss)
        if args.device.startswith('cuda'):
            torch.cuda.synchronize()
        t3 = time.perf_counter()
        if it >= args.warmup:
            for key, value in zip(times, (t1 - t0, t2 - t1, t3 - t2)):
                times[key].append(value)
    total = np.sum([times[k] for k in times], axis=0)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    params = sum(p.numel() for p in model.parameters()) / 1e6
    print(f'config: {args.config}')
    print(f'machine: {platform.processor() or platform.machine()}, '
          f'{torch.get_num_threads()} torch threads, device {args.device}, torch '
          f'{torch.__version__}')
    print(f'model parameters: {params:.2f} M; frames/clip: {data["inputs"].shape[1]}, '
          f'size: {tuple(data["inputs"].shape[-2:])}')
    print(f'{"stage":<12}{"mean s":>10}{"median s":>10}')
    for key, values in list(times.items()) + [('total/iter', total)]:
        print(f'{key:<12}{np.mean(values):>10.3f}{np.median(values):>10.3f}')
    print(f'peak RSS: {peak_mb:.0f} MB')
    if args.device.startswith('cuda'):
        print(f'peak CUDA memory: {torch.cuda.max_memory_allocated() / 2**20:.0f} MB')


if __name__ == '__main__':
    main()

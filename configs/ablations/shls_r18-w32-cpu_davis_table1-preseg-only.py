# Table 1 (preseg-only) for the shipped CPU model: stage-1 checkpoint + stage-2 decoder with the
# residual pre-segmentation prior (pruning only), colour block, bfloat16 backbone, SLIC at
# half size. Run with the stage-2 checkpoint of
# configs/shls/shls_r18-w32_slic_1xb1-1k_saliency-256_cpu_refine-stage2.py:
#   python tools/analysis/ablation.py configs/ablations/shls_r18-w32-cpu_davis_table1-*.py \
#       --checkpoint CKPT --data-root ../shared/data/davis --out work_dirs/table1_cpu
_base_ = [
    '../_base_/models/shls_r18-w32_refine.py',
    '../_base_/datasets/davis.py',
    '../_base_/default_runtime.py',
    '../_base_/test_cfg/cpu.py',
]
model = dict(
    backbone=dict(l1_at_input_size=False),  # as the shipped model (its config)
    decoder=dict(prior_weight=10.0, prune_only=True),
    test_cfg=dict(
        **_base_.cpu_test_cfg,  # noqa: F821 (mmengine provides _base_)
        roi_max_side=256))  # decode ROIs at most at the training clips' size
test_dataloader = dict(dataset=dict(data_root='../shared/data/davis'))
test_cfg = dict(segmenter_cfg=dict(refine=False))

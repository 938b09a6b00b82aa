# SHLS (CPU recipe) whose memory keeps frame 0 plus the last 5 frames, evaluated on DAVIS.
#   python tools/test.py \
#       projects/sliding_window_memory/configs/shls_r18-w32_sliding-window-5_davis.py \
#       CHECKPOINT --cfg-options test_dataloader.dataset.data_root=ROOT
_base_ = ['../../../configs/shls/shls_r18-w32_slic_1xb1-2k_saliency-256.py']
# Imported when the config is loaded: registers SlidingWindowMemoryBank in shls MODELS.
custom_imports = dict(imports=['projects.sliding_window_memory.sliding_window'],
                      allow_failed_imports=False)
model = dict(memory=dict(_delete_=True, type='SlidingWindowMemoryBank', window=5, k=2,
                         ratio=0.5))

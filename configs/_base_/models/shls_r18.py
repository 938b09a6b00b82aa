# SHLS with the slim ResNet-18 of the paper (5.1 M backbone parameters, random init).
data_preprocessor = dict(
    type='VideoDataPreprocessor',
    mean=(0.4532, 0.4335, 0.3921),  # MSRA10K statistics of images in [0, 1]
    std=(0.3025, 0.2918, 0.3122))
model = dict(
    type='SHLS',
    data_preprocessor=data_preprocessor,
    backbone=dict(
        type='SlimResNet',
        stem_channels=64,
        stage_channels=(64, 128, 256, 256),
        stage_strides=(1, 2, 1, 1),
        stage_blocks=(2, 2, 2, 2)),
    head=dict(
        type='SuperfeatureHead',
        l1_channels=64,       # = stage_channels[0]
        l4_channels=256,      # = stage_channels[-1]
        out_channels=32,      # superfeature size S
        use_meta=True,        # + (size, row, col) per superpixel
        norm=True,
        final_relu=True),
    loss=dict(
        type='NTXentLoss',
        temperature=0.07,
        partners_per_anchor=16,  # None: the paper's SimCLR form over all pairs
        loss_weight=1.0),
    # One generator for training and test: swap SLIC for ISEC here.
    superpixels=dict(type='SLICSuperpixels', segment_area=400, compactness=20),
    cut_first_frame=True,
    memory=dict(type='MemoryBank', k=2, ratio=0.5, cap_factor=10, keep_factor=5),
    self_check=True,
    # Inference (VideoSegmenter / VOSTestLoop). `superpixels=dict(...)` here would replace
    # the generator above at test time only.
    test_cfg=dict(
        presegmentation='eq4',        # Eq. 4 scores; 'vote' = seed code's KNN vote + outlier filter
        outlier_min_overlap=0.05,     # 'vote' only: blobs must overlap the previous mask by 5 %
        confidence_temperature=0.1,   # per-superpixel probabilities = softmax(Eq. 4 / T)
        update_memory=True,           # add confident superfeatures after each frame
        standardize_features=False,   # centre/scale superfeatures by frame-0 statistics
        handcrafted=None,             # e.g. dict(type='SuperpixelColourStats') appended
        learned_weight=1.0,           # block weights once standardised
        handcrafted_weight=1.0,
        working_scale=1.0,            # segment at this fraction of the frame size
        autocast=False,               # mixed precision: False, True or 'auto' (shls.apis.precision)
        prefetch=True,                # next frame's superpixels in a background thread
        superpixels=None))            # test-time generator; None = the one above

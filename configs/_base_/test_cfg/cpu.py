# Test-time settings of the shipped CPU model (model.test_cfg), shared by its configs:
# the superfeatures are joined by a per-superpixel colour block, the backbone runs in
# bfloat16 where the CPU has native kernels (float32 elsewhere), SLIC runs on the
# half-size frame (labels upsampled), the masks follow the frame's edges and the
# previous mask, moved by optical flow, is a prior: the settings that measured best
# for J&F at about 2 frames/s on a 2-core CPU (README).
# A config adds this file to its _base_ list and reads the block as a base variable
# (a second `model` among the bases of one list is refused by mmengine):
#   model = dict(test_cfg=_base_.cpu_test_cfg)
# Override single knobs as model.test_cfg.<knob> (e.g. --cfg-options
# model.test_cfg.winograd=False); this variable itself is only read when the config loads.
cpu_test_cfg = dict(
    handcrafted=dict(_delete_=True, type='SuperpixelColourStats'),
    autocast='auto',  # bfloat16 where this CPU runs it faster (probe), else float32
    # the backbone in int8 in place of float32 where a start-up probe measures it faster
    # (by 10 %): on AVX2 CPUs J&F 69.81 / 73.87 against 69.64 / 73.32, 1.8 -> 2.5 frames/s
    # (README, "Since commit 64b4326"). Where the CPU has fast bfloat16 it keeps bfloat16:
    # on AVX-512 BF16 without AMX (AMD EPYC here) int8 runs ~2.8-2.9 frames/s against
    # ~2.2 in bfloat16 with SLIC's compiled loop, but scores 75.51 / 78.31 against 75.66 /
    # 78.30, F -0.24 / -0.11 (README, "Since commit cec67e2"; 'auto', int8 also in place
    # of bfloat16, from commit 7247482 to then, when bfloat16 ran below 2 frames/s there)
    int8='auto_float32',
    winograd=True,  # float32 on a CPU: Winograd 3x3 convolutions (NNPACK) if present
    # pixel masks along the frame's edges: the superpixel probabilities smoothed by a
    # guided filter with the frame as guide (+3.4 J&F on ../shared/data/davis, +2.0 on
    # davis_train; README, "Edge-aware masks"); None paints the superpixel labels (the
    # paper). A low ridge follows the frame's edges closely: eps=0.02 (0.16 before) gave
    # +0.68 / +0.77 J&F with the occlusion check below (README, "Since commit 4fa7928"),
    # eps=0.001 +0.71 / +0.83 more, F +0.72 / +1.07 against J +0.68 / +0.58 (0.0025:
    # +0.70 / +0.71; 0.0003: +0.01 / +0.86; README, "Since commit 1be0e6f"); 0.0005 with
    # the settings below: +0.07 / +0.06 (README, "Since commit d64f005"); radius 0.6 /
    # 1.0 instead of 0.8 there: davis_train -0.28 / stopped (boat -2.1, hockey -1.7)
    edge_aware=dict(type='GuidedFilterMask', radius=0.8, eps=0.0005, scale=0.5),
    # the previous (edge-aware) mask moved by DIS optical flow as a bonus on the Eq.-4
    # scores: +3.7 J&F on ../shared/data/davis and +1.1 on davis_train on top of the
    # edge-aware masks (README, "Flow prior"); None = off (the paper). With
    # occlusion_check the pixels the forward flow does not bring back (background
    # uncovered behind a moving object) lose the object's bonus to the other classes
    # (+0.48 / +1.80 J&F; README, "Since commit 4fa7928"). pixel_weight: the warped mask
    # also joins the per-pixel probabilities before the guided filter, with weight 0.25 on
    # the pixels it traces, so the previous boundary, moved, decides where the
    # superpixels are unsure (0.15: +0.23 / +0.17 J&F, F at least as much as J; 0.3:
    # -0.86 / +0.52; README, "Since commit 64b4326"; 0.25 instead of 0.15 with SLIC's
    # compactness 10 below: +0.33 / +0.21, F +0.40 / +0.24; on AVX2 +0.34 / +0.37;
    # README, "Since commit 1e77659"). scale=1.0: DIS on the full frame, so fast thin
    # parts (legs, a racket) keep their own flow instead of the background's (+1.04 /
    # +0.23 J&F against 0.5, F +1.15 / +0.44 against J +0.93 / +0.04; on AVX2 -0.27 /
    # +0.50, one bistable video -5.39 on davis; ~40 ms more per 480p frame), and with it
    # pixel_weight 0.35 instead of 0.25 (+0.04 / +0.15, on AVX2 +0.56 / +0.14; both in
    # README, "Since commit 4350f4f")
    flow_prior=dict(weight=1.0, scale=1.0, occlusion_check=True, pixel_weight=0.35),
    # SLIC's colour / space trade-off at test time, in all three partitions below: 10
    # follows the frame's edges more closely than the 20 of training and of the paper's
    # DAVIS setting (+0.96 / +0.71 J&F on ../shared/data/davis / davis_train, F +1.02 /
    # +0.94 against J +0.90 / +0.49; on AVX2 +1.10 / +0.45; 15: +0.35 / +0.37, 7:
    # davis_train +0.63; README, "Since commit 1e77659")
    superpixels=dict(
        _delete_=True,
        type='ResizedSuperpixels',
        scale=0.5,
        generator=dict(type='SLICSuperpixels', segment_area=100, compactness=10)),
    # a second partition of every predicted frame: the same SLIC on the frame shifted by
    # half its seed spacing (5 px at half size), pooled from the same backbone maps and
    # scored against the same memory; the mask averages the class probabilities of both
    # partitions per pixel (+0.90 J&F on ../shared/data/davis, +0.71 on davis_train;
    # README, "Several partitions per frame"); None = one partition (the paper)
    extra_partitions=[dict(
        type='ResizedSuperpixels',
        scale=0.5,
        generator=dict(
            type='ShiftedSuperpixels',
            shift=5,
            generator=dict(type='SLICSuperpixels', segment_area=100, compactness=10)))],
    # a finer SLIC (0.3 of the main superpixels' area) along the objects' boundaries:
    # within 12 px of each object's boundary in the mask of the partitions above (objects
    # at least 5 mean superpixel sides across; along a smaller object's border the finer
    # superpixels side with the background), its superpixels there are scored against the
    # memory and join the per-pixel average as one more partition (+0.19 / +0.49 J&F on
    # ../shared/data/davis / davis_train, F +0.28 / +0.52 against J +0.10 / +0.46;
    # ~80 ms more per 480p frame; README, "Since commit bc11ebc"; segment_area 30 instead
    # of 50 with compactness 10: +0.09 / +0.11, F +0.14 / +0.12; README, "Since commit
    # d64f005"); there it takes a share of 0.67 of the per-pixel probabilities instead of
    # one partition's 1/3 (+0.32 / +0.26, F +0.30 / +0.27 against J +0.35 / +0.24; on
    # AVX2 +0.28 / +0.32, F +0.24 / +0.46; 0.5: -0.03 / +0.16, 0.85: +0.42 / +0.25;
    # README, "Since commit 12b3de6"); None = off
    boundary_partition=dict(
        generator=dict(
            type='ResizedSuperpixels',
            scale=0.5,
            generator=dict(type='SLICSuperpixels', segment_area=30, compactness=10)),
        width=12,
        min_object_side=5.0,
        share=0.67),
    # a per-video classifier of pixels along the same boundaries: fitted by ridge
    # regression on the annotated frame's backbone maps (L1 at stride 2, L4 upsampled)
    # and colour within 24 px of its objects' boundaries; on every predicted frame its
    # class probabilities take a share of 0.6 of the per-pixel probabilities within 12 px
    # of each object's boundary (objects at least 5 mean superpixel sides across), before
    # the flow blend and the guided filter (+2.43 / +1.38 J&F on ../shared/data/davis /
    # davis_train at share 0.5; 0.3: +1.92 / +0.96, 0.7: +2.25 / +1.58; README, "Since
    # commit 7ad747d"; 0.6 instead of 0.5 with compactness 10: +0.13 / +0.49, J +0.04 /
    # +0.56, F +0.22 / +0.43; README, "Since commit d64f005"); None = off. Inside the
    # objects beyond that band it takes a share of 0.5 where its most probable class is
    # above 0.8, so background seen through an object (between a boat's cabin and mast)
    # can open where the superpixels fill it (+0.05 / +0.09 J&F, F +0.06 / +0.11 against
    # J +0.03 / +0.07; above 0.7: -0.04 / +0.04 more; everywhere inside: +0.05 / +0.20
    # but -0.38 on davis on AVX2; README, "Since commit 6019454")
    pixel_classifier=dict(type='RidgePixelClassifier', weight=0.6, width=12,
                          min_object_side=5.0, fit_width=24, ridge=1.0, use_l4=True,
                          inner_weight=0.5, inner_min_confidence=0.8),
    # a box prompt's feature split (which superpixels in the box look unlike the frame
    # around it, GrabCut's seeds) on SLIC with the compactness 20 of training: first-frame
    # J of tight boxes 63.99 -> 66.09 on ../shared/data/davis, 66.83 -> 67.56 on
    # davis_train (means over five GrabCut seeds) against the test partition's
    # compactness 10 (README, "No mask needed"); None = the test superpixels. Mask
    # prompts never use it.
    prompt_superpixels=dict(
        type='ResizedSuperpixels',
        scale=0.5,
        generator=dict(type='SLICSuperpixels', segment_area=100, compactness=20)))

"""Where the shipped model and the bundled demo clip live in a clone of the repository.

One definition for every tool that defaults to them (demo, web page, benchmarks, the
ONNX calibration frames); they exist in a clone (or an editable install), not in a
wheel.
"""
import os.path as osp

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
#: Config of the shipped CPU model (stage 2), the accurate one: the tools' default on CUDA
#: and on CPUs with fast bfloat16 or int8 (shls.apis.shipped_model).
SHIPPED_CONFIG = osp.join(REPO_ROOT, 'configs', 'shls',
                          'shls_r18-w32_slic_1xb1-1k_saliency-256_cpu_refine-stage2.py')
#: Its weights (fp16, stage 1 + stage 2).
SHIPPED_CHECKPOINT = osp.join(REPO_ROOT, 'checkpoints',
                              'shls_r18-w32_slic_1xb1-1k_saliency-256_cpu_refine-stage2_fp16.pth')
#: The quarter-width model: ~2.5x faster, 6-7 J&F less; the default on CPUs without fast
#: bfloat16 (shls.apis.shipped_model).
FAST_CONFIG = osp.join(REPO_ROOT, 'configs', 'shls',
                       'shls_r18-w16_slic_1xb1-1k_saliency-256_cpu.py')
FAST_CHECKPOINT = osp.join(REPO_ROOT, 'checkpoints',
                           'shls_r18-w16_slic_1xb1-1k_saliency-256_cpu_fp16.pth')
#: The bundled DAVIS clip (blackswan, 50 frames at 854x480) and its annotations.
DEMO_ROOT = osp.join(REPO_ROOT, 'demo', 'davis')
DEMO_FRAMES = osp.join(DEMO_ROOT, 'JPEGImages', '480p', 'blackswan')
DEMO_ANNOTATIONS = osp.join(DEMO_ROOT, 'Annotations', '480p', 'blackswan')
DEMO_FIRST_MASK = osp.join(DEMO_ANNOTATIONS, '00000.png')

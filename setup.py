"""Installs shls; dependencies are read from requirements/*.txt."""
import os.path as osp
import re
import sys

from setuptools import Extension, find_packages, setup

ROOT = osp.dirname(osp.abspath(__file__))


def read_requirements(name: str) -> list:
    """Requirement lines of ``requirements/<name>.txt`` (comments and blanks dropped)."""
    lines = []
    with open(osp.join(ROOT, 'requirements', f'{name}.txt')) as f:
        for line in f:
            line = line.split('#', 1)[0].strip()
            if line and not line.startswith('-'):
                lines.append(line)
    return lines


def read_version() -> str:
    with open(osp.join(ROOT, 'shls', 'version.py')) as f:
        return re.search(r"__version__ = '([^']+)'", f.read()).group(1)


# SLIC's k-means loop in C (shls/models/superpixels/slic_core.py): optional, so an install
# without a C compiler goes on and runs scikit-image's loop (same labels, 2-4x slower).
# No FMA contraction: the sums must round as scikit-image's do.
SLIC_CORE = Extension(
    'shls.models.superpixels._slic_core',
    sources=['shls/models/superpixels/_slic_core.c'],
    extra_compile_args=[] if sys.platform == 'win32' else ['-O3', '-ffp-contract=off'],
    optional=True)

setup(
    name='shls',
    version=read_version(),
    description='Self-supervised video object segmentation with superfeatures (SHLS), '
                'on OpenMMLab conventions',
    long_description=open(osp.join(ROOT, 'README.md'), encoding='utf-8').read(),
    long_description_content_type='text/markdown',
    license='Apache-2.0',
    python_requires='>=3.9',
    packages=find_packages(include=['shls', 'shls.*']),
    include_package_data=True,
    install_requires=read_requirements('runtime'),
    extras_require={
        'tests': (read_requirements('tests') + read_requirements('optional')
                  + read_requirements('webui')),
        'webui': read_requirements('webui'),
        'faiss': read_requirements('optional'),
    },
    ext_modules=[SLIC_CORE],
    zip_safe=False,
)

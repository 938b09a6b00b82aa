"""Pseudo-video dataset: clips synthesised on the fly from still images + masks (given,
or estimated by an unsupervised saliency method and cached)."""
import hashlib
import os.path as osp
from functools import partial
from typing import Callable, List, Optional, Sequence, Tuple, Union

import numpy as np
from mmengine.dataset import BaseDataset

from shls.registry import DATASETS, TRANSFORMS
from shls.utils.errors import ConfigError
from .image_mask_folder import DEFAULT_IMG_SUFFIXES, DatasetError, ImageMaskFolder
from .pseudo_mask_folder import PseudoMaskFolder, build_estimator
from .synthesis import ObjectPatch, PseudoVideoSynthesizer, crop_object


def build_pipeline(pipeline: Sequence[Union[dict, Callable]]) -> List[Callable]:
    """Build transform configs with the shls ``TRANSFORMS`` registry (so that shls
    transforms resolve without a default scope); callables pass through."""
    return [TRANSFORMS.build(t) if isinstance(t, dict) else t for t in pipeline]


@DATASETS.register_module()
class PseudoVideoDataset(BaseDataset):
    """Synthetic training / validation clips made from a folder of images and masks.

    Images without masks: ``mask_dir=None`` with ``saliency=dict(type=...)`` (an
    estimator of ``shls.models.saliency``) makes each image's mask with that estimator
    the first time the image is used, and stores it as ``<mask_cache_dir>/<stem>.png``
    (0/255, written atomically, shared by all workers and later runs; see
    :class:`~shls.datasets.pseudo_mask_folder.PseudoMaskStore`).
    ``tools/make_pseudo_masks.py IMAGES_DIR <mask_cache_dir> --method <type>`` fills the
    same folder ahead of training.

    Item ``i`` uses template image ``i % n_images`` and the random generator
    ``np.random.default_rng([seed, i])``, so every item is reproducible from the seed while
    items differ from one another (and the same item is identical in every epoch; use
    ``num_samples`` larger than the number of images for more variety). Inserted objects
    are drawn from the other images of the same selection.

    Before the pipeline an item is a dict with ``frames`` (list of ``T`` ``(H, W, 3)``
    uint8 RGB), ``masks`` (list of ``T`` ``(H, W)`` uint8 labels, 0 = background,
    ``1..num_objects``), ``num_objects``, ``template_stem``, ``seq_name``,
    ``frame_names``, ``seed``, ``item_idx``, ``sample_idx``, ``template_idx``,
    ``ori_shape`` (template size) and ``img_shape`` (frame size).

    Args:
        data_root: Dataset root; relative folders and ``ann_file`` are joined to it.
        img_dir: Image folder (``'Imgs'`` for MSRA10K).
        mask_dir: Mask folder (``'Imgs'`` for MSRA10K); ``None``: no masks, estimate
            them with ``saliency``.
        img_suffix: Image suffix(es) (``'.jpg'`` for MSRA10K).
        mask_suffix: Mask suffix (pseudo-masks are always ``.png``).
        mask_threshold: Grayscale masks: foreground is ``value >= mask_threshold``.
        connectivity: 4 or 8, to split binary masks into objects.
        min_object_area: Objects below this fraction of the image become background.
        ann_file: Optional text file of stems (one per line, ``#`` comments) to use.
        holdout: Number of images held out for validation, chosen by the MD5 digest of
            their stems (stable, spread over the list whatever the naming).
        split: ``'train'`` (all but the held-out stems), ``'val'`` (only them) or
            ``'all'``.
        num_frames: Frames per clip.
        frame_size: ``(height, width)`` of the frames.
        max_objects: Maximal number of foreground objects per clip.
        synthesis: Further :class:`PseudoVideoSynthesizer` arguments (augmentation
            magnitudes, probabilities...).
        saliency: Estimator config (``MODELS``, e.g. ``dict(type='MBDContrastSaliency')``) used
            when ``mask_dir`` is ``None``.
        mask_cache_dir: Folder of the estimated masks (relative: to ``data_root``);
            default ``pseudo_masks/<type>``. It must be writable; it records the
            estimator's settings and the image folder, and a folder recorded for other
            settings or images is an error.
        seed: Base seed of all items.
        num_samples: Virtual length; defaults to the number of selected images.
        pipeline: Transforms (configs or callables) applied to every item.
        serialize_data: See :class:`mmengine.dataset.BaseDataset` (items are tiny).
        **kwargs: Other :class:`mmengine.dataset.BaseDataset` arguments (``metainfo``,
            ``indices``, ``test_mode``, ``lazy_init``, ``max_refetch``).
    """

    METAINFO = dict(dataset_type='pseudo_video')

    def __init__(self, data_root: str = '', img_dir: str = 'images',
                 mask_dir: Optional[str] = 'masks',
                 img_suffix: Union[str, Sequence[str]] = DEFAULT_IMG_SUFFIXES,
                 mask_suffix: str = '.png', mask_threshold: int = 128, connectivity: int = 8,
                 min_object_area: float = 0.001, ann_file: str = '', holdout: int = 0,
                 split: str = 'train', num_frames: int = 3,
                 frame_size: Tuple[int, int] = (256, 256), max_objects: int = 3,
                 synthesis: Optional[dict] = None, saliency: Optional[dict] = None,
                 mask_cache_dir: Optional[str] = None, seed: int = 0,
                 num_samples: Optional[int] = None,
                 pipeline: Sequence[Union[dict, Callable]] = (),
                 serialize_data: bool = False, **kwargs) -> None:
        if split not in ('train', 'val', 'all'):
            raise ConfigError(f"split must be 'train', 'val' or 'all', got {split!r}")
        if holdout < 0 or (num_samples is not None and num_samples < 1):
            raise ConfigError('holdout must be >= 0 and num_samples >= 1')
        self.folder_cfg = dict(img_suffix=img_suffix, mask_suffix=mask_suffix,
                               mask_threshold=mask_threshold, connectivity=connectivity,
                               min_object_area=min_object_area)
        self.holdout = int(holdout)
        self.split = split
        self.seed = int(seed)
        self.num_samples = num_samples
        self.synthesizer = PseudoVideoSynthesizer(num_frames=num_frames, frame_size=frame_size,
                                                  max_objects=max_objects,
                                                  **(synthesis or {}))
        self.folder: Optional[ImageMaskFolder] = None
        self.estimator = self._build_estimator(mask_dir, saliency)
        if self.estimator is not None:
            kind = saliency['type']
            kind = kind if isinstance(kind, str) else kind.__name__
            mask_dir = mask_cache_dir or osp.join('pseudo_masks', kind)
        super().__init__(ann_file=ann_file, data_root=data_root,
                         data_prefix=dict(img=img_dir, mask=mask_dir),
                         pipeline=build_pipeline(pipeline),
                         serialize_data=serialize_data, **kwargs)

    def load_data_list(self) -> List[dict]:
        """List the images, select the split and make ``num_samples`` item records."""
        stems = self._read_stems_file()
        if self.estimator is None:
            folder = ImageMaskFolder(self.data_prefix['img'], self.data_prefix['mask'],
                                     stems=stems, **self.folder_cfg)
        else:
            cfg = {k: v for k, v in self.folder_cfg.items() if k != 'mask_suffix'}
            folder = PseudoMaskFolder(self.data_prefix['img'], self.estimator,
                                      self.data_prefix['mask'], stems=stems, **cfg)
        self.folder = folder.subset(self._split(sorted(folder.stems)))
        stems = self.folder.stems
        num = len(stems) if self.num_samples is None else int(self.num_samples)
        return [dict(item_idx=i, template_idx=i % len(stems), template_stem=stems[i % len(stems)])
                for i in range(num)]

    def check_has_objects(self) -> int:
        """Raise unless some mask of the selection holds an object; reads masks in order
        until one does (masks still to be estimated are not made for this).

        Returns:
            The index of the first image with an object (-1: no mask on disk yet).

        Raises:
            DatasetError: Every mask is empty (after threshold and ``min_object_area``):
                training would learn nothing and report a perfect self-check.
        """
        if self.folder is None:
            self.full_init()
        store = getattr(self.folder, 'store', None)
        indices = [i for i, stem in enumerate(self.folder.stems)
                   if store is None or store.has(stem)]
        for index in indices:
            if self.folder.load_mask(index).any():
                return index
        if not indices:
            return -1
        raise DatasetError(
            f'no object in any of the {len(indices)} masks of {self.folder.mask_dir} (all '
            f'background at mask_threshold={self.folder.mask_threshold}, '
            f'min_object_area={self.folder.min_object_area}): nothing to train on')

    def prepare_data(self, idx: int) -> Optional[dict]:
        """Synthesise item ``idx`` and run the pipeline on it."""
        info = self.get_data_info(idx)
        rng = np.random.default_rng([self.seed, info['item_idx']])
        image, labels = self.folder.load(info['template_idx'])
        sampler = partial(self._sample_source, exclude=info['template_idx'])
        clip = self.synthesizer(image, labels, sampler, rng)
        num_frames = len(clip['frames'])
        info.update(clip, seed=self.seed, ori_shape=image.shape[:2],
                    img_shape=clip['frames'][0].shape[:2],
                    seq_name=f'{info["template_stem"]}@{info["item_idx"]}',
                    frame_names=[f'{t:05d}' for t in range(num_frames)])
        return self.pipeline(info)

    def _sample_source(self, rng: np.random.Generator, exclude: int) -> Optional[ObjectPatch]:
        """One random object of a random image other than ``exclude`` (``None`` if the
        selection has a single image or the drawn image has no object)."""
        num = len(self.folder)
        if num < 2:
            return None
        index = int(rng.integers(num - 1))
        index += index >= exclude
        image, labels = self.folder.load(index)
        ids = np.unique(labels)
        ids = ids[ids > 0]
        if len(ids) == 0:
            return None
        return crop_object(image, labels, int(rng.choice(ids)))

    @staticmethod
    def _build_estimator(mask_dir: Optional[str], saliency: Optional[dict]):
        """The saliency estimator of an images-only dataset, else ``None``."""
        if mask_dir is not None:
            if saliency is not None:
                raise ConfigError('give either mask_dir (masks on disk) or saliency with '
                                  'mask_dir=None (estimated masks), not both')
            return None
        if not isinstance(saliency, dict):
            raise ConfigError("mask_dir=None needs saliency=dict(type=...), an estimator "
                              "of shls.models.saliency such as 'MBDContrastSaliency'")
        return build_estimator(saliency)

    def _read_stems_file(self) -> Optional[List[str]]:
        if not self.ann_file:
            return None
        if not osp.isfile(self.ann_file):
            raise DatasetError(f'stems file {self.ann_file} does not exist')
        with open(self.ann_file, encoding='utf-8') as f:
            lines = (line.split('#', 1)[0].strip() for line in f)
            stems = sorted({line for line in lines if line})
        if not stems:
            raise DatasetError(f'stems file {self.ann_file} lists no stems')
        return stems

    def _split(self, stems: List[str]) -> List[str]:
        """Held-out selection: ``holdout`` stems spread over the whole list (the last in
        the order of their MD5 digests, so stable and independent of file names) are
        'val', the rest 'train'."""
        if self.holdout >= len(stems) and self.split == 'train':
            raise DatasetError(f'holdout={self.holdout} leaves no training image of '
                               f'{len(stems)}')
        if self.split == 'val' and self.holdout == 0:
            raise DatasetError("split='val' needs holdout > 0")
        by_digest = sorted(stems, key=lambda s: hashlib.md5(s.encode('utf-8')).hexdigest())
        held = set(by_digest[len(stems) - min(self.holdout, len(stems)):])
        return {'train': [s for s in stems if s not in held],
                'val': [s for s in stems if s in held], 'all': stems}[self.split]

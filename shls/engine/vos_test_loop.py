"""Test loop for semi-supervised VOS: one dataloader item = one video, streamed."""
import os.path as osp
from typing import Dict, Iterator, List, Optional, Sequence, Tuple, Union

from mmengine.dataset import BaseDataset
from mmengine.dist import get_dist_info
from mmengine.model import is_model_wrapper
from mmengine.runner import TestLoop
from torch import nn
from torch.utils.data import DataLoader
from tqdm import tqdm

from shls.apis.frame_source import FileListFrames
from shls.apis.prompts import segment_video_prompted
from shls.apis.streaming import segment_video
from shls.apis.to_disk import DiskOutput, Progress, stream_to_disk
from shls.apis.video_segmenter import VideoSegmenter
from shls.outputs.fingerprint import data_root_tag, run_fingerprint
from shls.outputs.resume import ResumeGuard
from shls.outputs.writers import writer_class
from shls.registry import LOOPS
from shls.structures.segmenter import SegmenterFactory, StreamingSegmenter, precision_tag
from shls.utils.errors import ConfigError
from shls.visualization.palette import DAVIS_PALETTE

REQUIRED_FIELDS = ('seq_name', 'frame_paths', 'mask_paths', 'first_mask')


def video_list_collate(batch: Sequence[dict]) -> List[dict]:
    """Keep a batch of video items as a list (they differ in length and size)."""
    return list(batch)


@LOOPS.register_module()
class VOSTestLoop(TestLoop):
    """Segment every video of the test set frame by frame and score the written masks.

    For each item (a :class:`~shls.datasets.DAVISDataset` video: ``seq_name``,
    ``frame_paths``, ``mask_paths``, ``first_mask``) the frames are read lazily and
    streamed through a :class:`~shls.apis.VideoSegmenter` built around the runner's
    model (or through ``model.build_segmenter(**segmenter_cfg)`` when the model is a
    :class:`~shls.structures.segmenter.SegmenterFactory`, as the training-free baselines
    are); the masks go to
    ``<out_dir>/<seq_name>/<frame>.png`` (the folder appears whole when the video is
    done, replacing an earlier one), and the evaluator receives the
    sample with ``pred_dir`` set, so no video is ever held in memory. Distributed runs
    need ``DefaultSampler(shuffle=False, round_up=False)`` (each video on one process);
    the evaluator gathers the per-video results.

    Args:
        runner: The runner.
        dataloader: Dataloader or its config; ``collate_fn`` defaults to a list of items.
        evaluator: Evaluator or its config (``DAVISMetric``).
        out_dir: Folder of the predicted PNGs; default ``<work_dir>/predictions``.
        segmenter_cfg: Overrides of the model's ``test_cfg`` (see
            :data:`shls.apis.DEFAULT_TEST_CFG`).
        progress: Show tqdm progress bars (on rank 0 only).
        fp16: Unsupported; kept for the mmengine TestLoop signature.
        out_format: ``'palette'``, ``'per-object'`` or ``'coco-rle'`` (see
            :mod:`shls.outputs.writers`).
        resume: Skip the videos an interrupted run with the same weights and settings
            finished (see :mod:`shls.outputs.resume`); their metrics are recomputed from
            the files.
        amp: Force mixed precision: the segmenter gets ``autocast=True`` (the one
            precision switch, :mod:`shls.deployment.precision`); training-free baselines
            ignore it.

    Items may carry ``prompts`` (YouTube-VOS: masks on the frames where objects first
    appear, see :class:`~shls.datasets.YouTubeVOSDataset`); they are then given to the
    segmenter on those frames instead of ``first_mask`` on frame 0.

    Attributes:
        num_frames: Frames segmented by this process in the last :meth:`run`.
        seconds: Wall time of that (reading, segmenting and writing the frames).
    """

    def __init__(self, runner, dataloader: Union[DataLoader, Dict],
                 evaluator: Union[Dict, List], out_dir: Optional[str] = None,
                 segmenter_cfg: Optional[dict] = None, progress: bool = True,
                 fp16: bool = False, out_format: str = 'palette', resume: bool = True,
                 amp: bool = False) -> None:
        writer_class(out_format)  # checks the name
        if isinstance(dataloader, dict) and 'collate_fn' not in dataloader:
            dataloader = dict(dataloader, collate_fn=dict(type=video_list_collate))
        if fp16:
            raise ConfigError('VOSTestLoop: fp16 is not supported')
        super().__init__(runner, dataloader, evaluator, fp16=False)
        self.out_dir = out_dir
        self.segmenter_cfg = dict(segmenter_cfg or {})
        self.progress = progress
        self.out_format = out_format
        self.resume = resume
        self.amp = amp
        self._guard: Optional[ResumeGuard] = None
        self._segmenter: Optional[StreamingSegmenter] = None
        self.num_frames = 0
        self.seconds = 0.0

    @property
    def fps(self) -> float:
        """Frames per second of the last :meth:`run` (this process)."""
        return self.num_frames / self.seconds if self.seconds > 0 else 0.0

    @property
    def data_root(self) -> Optional[str]:
        """The test dataset's root folder (``None`` if it has none)."""
        return getattr(getattr(self.dataloader, 'dataset', None), 'data_root', None) or None

    @property
    def pred_root(self) -> str:
        """Where the ``<seq>/<frame>.png`` predictions go: ``out_dir``, else
        ``<work_dir>/predictions/<data root name>-<hash of its path>`` (so two data roots
        with the same sequence names never share predictions)."""
        if self.out_dir:
            return self.out_dir
        root = osp.join(self.runner.work_dir, 'predictions')
        return osp.join(root, data_root_tag(self.data_root)) if self.data_root else root

    def run(self) -> dict:
        """Segment all videos of this process, then evaluate (gathered over processes)."""
        self.runner.call_hook('before_test')
        self.runner.call_hook('before_test_epoch')
        model = self.runner.model
        model = model.module if is_model_wrapper(model) else model
        self._segmenter = self._make_segmenter(model)
        self.num_frames, self.seconds = 0, 0.0
        rank, _ = get_dist_info()
        self._start_resume(model, rank)
        show = self.progress and rank == 0
        for idx, data_batch in enumerate(tqdm(self.dataloader, desc='videos', unit='video',
                                              disable=not show)):
            self.run_iter(idx, data_batch)
        metrics = self.evaluator.evaluate(len(self.dataloader.dataset))
        self.runner.call_hook('after_test_epoch', metrics=metrics)
        self.runner.call_hook('after_test')
        return metrics

    def _make_segmenter(self, model: nn.Module) -> StreamingSegmenter:
        """The streaming segmenter of ``model`` with :attr:`segmenter_cfg` applied.

        A :class:`~shls.structures.segmenter.SegmenterFactory` (the training-free
        baselines, :mod:`shls.models.baselines`) builds its own (``amp`` ignored); any
        other model is wrapped in a :class:`~shls.apis.VideoSegmenter`.

        Args:
            model: The runner's model, unwrapped.

        Returns:
            The segmenter.
        """
        if isinstance(model, SegmenterFactory):
            return model.build_segmenter(**self.segmenter_cfg)
        forced = dict(autocast=True) if self.amp else {}
        return VideoSegmenter(model, **dict(self.segmenter_cfg, **forced))

    def _start_resume(self, model, rank: int) -> None:
        """Compare this run with the record of the output folder; say what is skipped."""
        settings = dict(segmenter_cfg=self.segmenter_cfg, out_format=self.out_format,
                        precision=precision_tag(self._segmenter))
        self._guard = ResumeGuard(run_fingerprint(model, settings), self.resume,
                                  self.data_root)
        if not self.resume or rank != 0:
            return
        done = sum(self._guard.done(osp.join(self.pred_root, name), self.out_format, frames,
                                    mask)
                   for name, frames, mask in iter_videos(self.dataloader.dataset))
        if done:
            self.runner.logger.info(f'resuming: {done} videos already done in '
                                    f'{self.pred_root}')

    def run_iter(self, idx: int, data_batch: Sequence[dict]) -> None:
        """Segment the videos of one batch and feed the evaluator."""
        self.runner.call_hook('before_test_iter', batch_idx=idx, data_batch=data_batch)
        outputs = [self.segment_item(_check_item(item)) for item in data_batch]
        self.evaluator.process(data_samples=outputs, data_batch=data_batch)
        self.runner.call_hook('after_test_iter', batch_idx=idx, data_batch=data_batch,
                              outputs=outputs)

    def segment_item(self, item: dict) -> dict:
        """Stream one video to ``<pred_root>/<seq_name>/``; returns the metric's sample."""
        seq_name = item['seq_name']
        source = FileListFrames(item['frame_paths'], name=seq_name)
        pred_dir = osp.join(self.pred_root, seq_name)
        sample = dict(seq_name=seq_name, mask_paths=list(item['mask_paths']),
                      frame_paths=list(item['frame_paths']), pred_dir=pred_dir,
                      pred_format=self.out_format)
        first_mask_path = item['mask_paths'][0] if item['mask_paths'] else None
        run_id = self._guard.video_id(source.paths, first_mask_path) if self._guard else ''
        output = DiskOutput(pred_dir, self.out_format, item.get('palette', DAVIS_PALETTE),
                            run_id)
        rank, _ = get_dist_info()
        written = stream_to_disk(
            lambda: ((None, pred) for pred in self._predictions(item, source)),
            source.frame_name, output, len(source),
            Progress(seq_name, self.progress and rank == 0, leave=False),
            resume=self._guard is not None and self._guard.enabled)
        if written.skipped:
            self.runner.logger.info(f'{seq_name}: already done, skipped')
            return sample
        self.num_frames += written.num_frames
        self.seconds += written.seconds
        self.runner.logger.info(f'{seq_name}: {written.num_frames} frames, '
                                f'{written.num_frames / max(written.seconds, 1e-9):.2f} '
                                'frames/s')
        return sample

    def _predictions(self, item: dict, source: FileListFrames):
        """The id maps of a video item, frame by frame."""
        if item.get('prompts') is not None:
            return segment_video_prompted(self._segmenter, source, item['prompts'])
        return segment_video(self._segmenter, source, item['first_mask'],
                             mask_name=item['mask_paths'][0])


def _check_item(item) -> dict:
    """A dataloader item must be one video's dict (see :class:`VOSTestLoop`)."""
    if not isinstance(item, dict) or any(k not in item for k in REQUIRED_FIELDS):
        got = sorted(item) if isinstance(item, dict) else type(item).__name__
        raise ConfigError(f'VOSTestLoop expects video items with {REQUIRED_FIELDS}, got {got}; '
                          'leave test_dataloader.collate_fn unset')
    return item


def iter_videos(dataset) -> Iterator[Tuple[str, list, Optional[str]]]:
    """``(seq_name, frame paths, first annotation path)`` of every video of a test
    dataset, read from its index only (no mask is read); nothing for datasets that are
    not mmengine datasets."""
    if not isinstance(dataset, BaseDataset):
        return
    for index in range(len(dataset)):
        info = BaseDataset.get_data_info(dataset, index)
        masks = info.get('mask_paths') or [None]
        yield info['seq_name'], list(info['frame_paths']), masks[0]

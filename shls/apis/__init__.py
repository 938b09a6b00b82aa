"""Inference API: the streaming :class:`VideoSegmenter` and video-level helpers."""
from shls.outputs import OverlayVideoWriter, atomic_folder  # re-exported (shls.outputs)
from .checkpoint import load_weights, read_checkpoint
from .frame_source import (ArrayFrames, FileListFrames, FolderFrames, FrameSource,
                           VideoFileFrames, list_frame_files, open_frames)
from .inference import VideoResult, build_model, init_segmenter, segment_video_to_disk
from .prompts import segment_video_prompted
from .streaming import load_first_mask, segment_video
from .test_cfg import DEFAULT_TEST_CFG
from .video_segmenter import FrameContext, Segmentation, VideoSegmenter

__all__ = [
    'ArrayFrames', 'DEFAULT_TEST_CFG', 'FileListFrames', 'FolderFrames', 'FrameContext',
    'FrameSource', 'OverlayVideoWriter', 'Segmentation', 'VideoFileFrames', 'VideoResult',
    'VideoSegmenter', 'atomic_folder', 'build_model', 'init_segmenter', 'list_frame_files', 'load_first_mask',
    'load_weights', 'open_frames', 'read_checkpoint', 'segment_video',
    'segment_video_prompted', 'segment_video_to_disk'
]

from .segmenter import (ModelBackedSegmenter, SegmenterFactory, StreamingSegmenter,
                        autocast_dtype_of, precision_tag)
from .video_data_sample import VideoDataSample

__all__ = ['ModelBackedSegmenter', 'SegmenterFactory', 'StreamingSegmenter', 'VideoDataSample',
           'autocast_dtype_of', 'precision_tag']

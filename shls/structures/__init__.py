from .video_data_sample import VideoDataSample

__all__ = ['VideoDataSample']

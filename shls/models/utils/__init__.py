from .superpixel_ops import (batch_offsets, downsample_labels, meta_maps, paint, segment_mean,
                             segment_meta, segment_mode)

__all__ = ['batch_offsets', 'downsample_labels', 'meta_maps', 'paint', 'segment_mean',
           'segment_meta', 'segment_mode']
from .knn_check import knn_self_check  # noqa: E402

__all__ += ['knn_self_check']
from .feature_fusion import BlockStandardizer  # noqa: E402

__all__ += ['BlockStandardizer']
from .id_mask import check_id_mask  # noqa: E402

__all__ += ['check_id_mask']

"""The data element that carries one video (or pseudo-video) through shls."""
from mmengine.structures import BaseDataElement


class VideoDataSample(BaseDataElement):
    """Annotations of one clip of ``T`` frames.

    Data fields (tensors, first dim = time):

    - ``gt_masks``: ``(T, H, W)`` int64 object ids, 0 = background, 255 = void/ignore.
    - ``superpixels``: ``(T, H, W)`` int64 superpixel ids per frame, contiguous
      ``0..N_t-1`` within each frame (frame 0 possibly cut along its mask).

    Meta fields (free form): ``seq_name``, ``frame_names``, ``ori_shape``, ``seed`` ...
    """

    @property
    def gt_masks(self):
        return self._gt_masks

    @gt_masks.setter
    def gt_masks(self, value):
        self.set_field(value, '_gt_masks', dtype=None)

    @gt_masks.deleter
    def gt_masks(self):
        del self._gt_masks

    @property
    def superpixels(self):
        return self._superpixels

    @superpixels.setter
    def superpixels(self, value):
        self.set_field(value, '_superpixels', dtype=None)

    @superpixels.deleter
    def superpixels(self):
        del self._superpixels

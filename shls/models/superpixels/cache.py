"""An on-disk cache around any superpixel generator."""
import hashlib
import os
import os.path as osp
import tempfile
import warnings
import zipfile
import zlib
from typing import Optional, Union

import numpy as np

from shls.registry import MODELS
from .base import SuperpixelGenerator

# Bump when the stored format or the key recipe changes: old entries are then ignored.
_CACHE_VERSION = b'shls-superpixel-cache-v1'
_LOAD_ERRORS = (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, zlib.error)


@MODELS.register_module()
class CachedSuperpixels(SuperpixelGenerator):
    """Memoise a generator's label maps in ``cache_dir`` (one compressed ``.npz`` each).

    Generators receive arrays, not paths, so the key is a SHA-256 digest of the image
    *content* — the ``uint8`` RGB array the wrapped generator would see (shape and bytes;
    inputs that convert to the same RGB array share an entry) — together with
    ``repr(generator)``, which lists all its parameters: changing a parameter gives new
    keys, and one directory can serve several generators. Entries live at
    ``cache_dir/<key[:2]>/<key>.npz``, hold the labels (``uint16`` when they fit, else
    ``int32``) and the key, and are written atomically (temporary file in the same
    directory, then ``os.replace``), so concurrent workers never read half-written files.
    An unreadable or mismatching entry is reported with a warning, recomputed and
    overwritten.

    Args:
        generator: The wrapped generator, or its config dict (built from ``MODELS``).
        cache_dir: Directory of the cache; created on first write.
    """

    def __init__(self, generator: Union[dict, SuperpixelGenerator],
                 cache_dir: str) -> None:
        if isinstance(generator, dict):
            generator = MODELS.build(generator)
        if not isinstance(generator, SuperpixelGenerator):
            raise TypeError(f'generator must be a SuperpixelGenerator, got '
                            f'{type(generator).__name__}')
        self.generator = generator
        self.cache_dir = str(cache_dir)
        self._hits = 0
        self._misses = 0

    @property
    def hits(self) -> int:
        """Number of label maps served from the cache so far."""
        return self._hits

    @property
    def misses(self) -> int:
        """Number of label maps computed (absent or unreadable entries) so far."""
        return self._misses

    def key(self, image: np.ndarray) -> str:
        """Cache key of an ``(H, W, 3)`` uint8 RGB image."""
        digest = hashlib.sha256(_CACHE_VERSION)
        digest.update(repr(self.generator).encode())
        digest.update(repr(image.shape).encode())
        digest.update(np.ascontiguousarray(image).tobytes())
        return digest.hexdigest()

    def path(self, key: str) -> str:
        """File that holds (or will hold) the entry of ``key``."""
        return osp.join(self.cache_dir, key[:2], f'{key}.npz')

    def _segment(self, image: np.ndarray) -> np.ndarray:
        key = self.key(image)
        path = self.path(key)
        labels = self._load(path, key, image.shape[:2]) if osp.exists(path) else None
        if labels is not None:
            self._hits += 1
            return labels
        self._misses += 1
        labels = self.generator(image)
        self._store(path, key, labels)
        return labels

    @staticmethod
    def _load(path: str, key: str, shape: tuple) -> Optional[np.ndarray]:
        """Read an entry; ``None`` (with a warning) if it is corrupt or mismatching."""
        try:
            with np.load(path, allow_pickle=False) as data:
                labels = data['labels']
                stored_key = str(data['key'])
        except _LOAD_ERRORS as err:
            warnings.warn(f'unreadable superpixel cache entry {path} ({err!r}); recomputing')
            return None
        if stored_key != key or labels.shape != tuple(shape):
            warnings.warn(f'mismatching superpixel cache entry {path}; recomputing')
            return None
        return labels.astype(np.int32)

    @staticmethod
    def _store(path: str, key: str, labels: np.ndarray) -> None:
        """Write an entry atomically (temporary file, then ``os.replace``)."""
        folder = osp.dirname(path)
        os.makedirs(folder, exist_ok=True)
        dtype = np.uint16 if labels.size == 0 or labels.max() < 2**16 else np.int32
        fd, tmp = tempfile.mkstemp(dir=folder, prefix='.tmp-', suffix='.npz')
        try:
            with os.fdopen(fd, 'wb') as f:
                np.savez_compressed(f, labels=labels.astype(dtype), key=np.array(key))
            os.replace(tmp, path)
        finally:
            if osp.exists(tmp):
                os.remove(tmp)

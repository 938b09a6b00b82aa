"""Random colour jitter (brightness, contrast, saturation, hue) on uint8 RGB arrays."""
import cv2
import numpy as np

from shls.utils.errors import ConfigError


class ColorJitter:
    """Random photometric change, vectorised over the whole image.

    Factors are drawn uniformly: brightness ``b`` in ``[1 - brightness, 1 + brightness]``
    multiplies the image; contrast ``c`` blends with the mean gray level
    (``(x - m) * c + m``); saturation ``s`` blends with the per-pixel gray value; hue is
    rotated by ``h`` turns, ``h`` in ``[-hue, hue]``. Applied in that order.

    Args:
        brightness: Maximal relative brightness change (SHLS: 0.2).
        contrast: Maximal relative contrast change (SHLS: 0.2).
        saturation: Maximal relative saturation change (SHLS: 0.2).
        hue: Maximal hue rotation in turns of the colour circle (SHLS: 0.01).
    """

    def __init__(self, brightness: float = 0.2, contrast: float = 0.2,
                 saturation: float = 0.2, hue: float = 0.01) -> None:
        if min(brightness, contrast, saturation, hue) < 0 or hue > 0.5:
            raise ConfigError('jitter magnitudes must be >= 0 (and hue <= 0.5)')
        self.brightness = brightness
        self.contrast = contrast
        self.saturation = saturation
        self.hue = hue

    def __call__(self, image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Return a jittered copy of ``image`` (``(H, W, 3)`` uint8 RGB)."""
        b, c, s = (float(v) for v in rng.uniform(-1.0, 1.0, size=3) * (
            self.brightness, self.contrast, self.saturation) + 1.0)
        h = float(rng.uniform(-self.hue, self.hue))
        out = image.astype(np.float32) * b
        mean = float(_gray(out).mean())
        out = (out - mean) * c + mean
        gray = _gray(out)
        out = (out - gray[..., None]) * s + gray[..., None]
        out = np.clip(out, 0.0, 255.0)
        if h != 0.0:
            out = _rotate_hue(out, h)
        return np.clip(np.rint(out), 0, 255).astype(np.uint8)

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(brightness={self.brightness}, contrast='
                f'{self.contrast}, saturation={self.saturation}, hue={self.hue})')


def _gray(rgb: np.ndarray) -> np.ndarray:
    """Luma (ITU-R 601) of a float RGB image."""
    return rgb @ np.array([0.299, 0.587, 0.114], np.float32)


def _rotate_hue(rgb: np.ndarray, turns: float) -> np.ndarray:
    """Rotate the hue of a float RGB image in ``[0, 255]`` by ``turns`` of the circle."""
    hsv = cv2.cvtColor(rgb / 255.0, cv2.COLOR_RGB2HSV)  # float: H in degrees [0, 360)
    hsv[..., 0] = np.mod(hsv[..., 0] + 360.0 * turns, 360.0)
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB) * 255.0

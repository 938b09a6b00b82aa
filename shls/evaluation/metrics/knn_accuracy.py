"""Superpixel KNN accuracy: the cheap self-check of a superfeature model."""
from typing import Dict, List, Sequence

from mmengine.evaluator import BaseMetric

from shls.registry import METRICS


@METRICS.register_module()
class KNNAccuracy(BaseMetric):
    """Fraction of later-frame superpixels whose label is predicted correctly by KNN
    over the frame-0 superfeatures of the same clip.

    The model's ``predict`` fills, per clip, ``knn_correct`` and ``knn_total`` (counts over
    frames 1..T-1) and ``knn_fg_correct`` / ``knn_fg_total`` (object superpixels only), in
    the data sample's metainfo. The metric pools the counts over all clips (a
    superpixel-weighted mean), so large clips weigh more, like pixel accuracy.
    """

    default_prefix = 'knn'

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            meta = sample if isinstance(sample, dict) else sample.metainfo
            self.results.append({k: int(meta[k]) for k in
                                 ('knn_correct', 'knn_total', 'knn_fg_correct',
                                  'knn_fg_total')})

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        total = sum(r['knn_total'] for r in results)
        fg_total = sum(r['knn_fg_total'] for r in results)
        correct = sum(r['knn_correct'] for r in results)
        fg_correct = sum(r['knn_fg_correct'] for r in results)
        return {'accuracy': 100.0 * correct / max(total, 1),
                'fg_accuracy': 100.0 * fg_correct / max(fg_total, 1)}

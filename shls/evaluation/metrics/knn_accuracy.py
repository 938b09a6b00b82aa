"""Superpixel KNN accuracy: the cheap self-check of a superfeature model."""
from typing import Dict, List, Sequence

from mmengine.evaluator import BaseMetric

from shls.registry import METRICS


@METRICS.register_module()
class KNNAccuracy(BaseMetric):
    """How well KNN over the frame-0 superfeatures of a clip labels its later-frame
    superpixels.

    The model's ``predict`` fills, per clip, ``knn_correct`` and ``knn_total`` (counts over
    frames 1..T-1) and ``knn_fg_correct`` / ``knn_fg_total`` (object superpixels only), in
    the data sample's metainfo. The metric pools the counts over all clips (large clips
    weigh more) and reports

    * ``accuracy``: the *balanced* accuracy, the mean of the background and the object
      accuracies; a class without superpixels counts as 0, so a constant answer (or
      data without any object) scores at most 50, never 100;
    * ``fg_accuracy`` / ``bg_accuracy``: the accuracies of each class;
    * ``superpixel_accuracy``: the plain pooled fraction of correct superpixels.
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
        bg_total, bg_correct = total - fg_total, correct - fg_correct
        fg_accuracy = 100.0 * fg_correct / max(fg_total, 1)
        bg_accuracy = 100.0 * bg_correct / max(bg_total, 1)
        return {'accuracy': (fg_accuracy + bg_accuracy) / 2, 'fg_accuracy': fg_accuracy,
                'bg_accuracy': bg_accuracy,
                'superpixel_accuracy': 100.0 * correct / max(total, 1)}

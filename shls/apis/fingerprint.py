"""An id of what determines a run's masks, kept with its outputs to resume safely."""
import hashlib
import json

import torch
from torch import nn


def run_fingerprint(model: nn.Module, settings: dict) -> str:
    """SHA-1 of the model's weights and test config plus ``settings`` (JSON-able)."""
    digest = hashlib.sha1()
    for key, value in sorted(model.state_dict().items()):
        digest.update(key.encode())
        digest.update(value.detach().cpu().contiguous().flatten().view(torch.uint8).numpy())
    digest.update(repr(getattr(model, 'test_cfg', None)).encode())
    digest.update(json.dumps(settings, sort_keys=True, default=repr).encode())
    return digest.hexdigest()

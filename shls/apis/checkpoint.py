"""Reading checkpoints and loading them strictly, with one-line errors naming the file."""
import os.path as osp
import pickle
import zipfile

from torch import nn

from shls.utils.compat import load_local_checkpoint
from shls.utils.errors import InputError, InputNotFoundError

_CHECKPOINT_READ_ERRORS = (RuntimeError, OSError, EOFError, pickle.UnpicklingError,
                           zipfile.BadZipFile, UnicodeDecodeError, AttributeError, ImportError)


def read_checkpoint(checkpoint: str) -> dict:
    """Read a checkpoint file, with one-line errors naming it.

    Args:
        checkpoint: An mmengine checkpoint or a bare state dict file.

    Returns:
        The loaded object (a dict).

    Raises:
        FileNotFoundError: No such file.
        ValueError: The file is empty, truncated or not a checkpoint.
    """
    if not osp.isfile(checkpoint):
        raise InputNotFoundError(f'checkpoint not found: {checkpoint}')
    try:
        ckpt = load_local_checkpoint(checkpoint, map_location='cpu')
    except _CHECKPOINT_READ_ERRORS as err:
        raise InputError(f'cannot read checkpoint {checkpoint} (truncated or not a '
                         f'checkpoint?): {type(err).__name__}: '
                         f'{str(err).splitlines()[0] if str(err) else ""}') from err
    if not isinstance(ckpt, dict):
        raise InputError(f'checkpoint {checkpoint} holds no state dict')
    return ckpt


def load_weights(model: nn.Module, checkpoint: str) -> None:
    """Load a checkpoint strictly, with a one-line error naming the file on a mismatch.

    Args:
        model: The model.
        checkpoint: A file holding a ``state_dict`` (mmengine checkpoint) or a bare
            state dict; keys may carry a DDP ``module.`` prefix.

    Raises:
        FileNotFoundError: No such file.
        ValueError: Unreadable file, or keys / shapes that do not match the model.
    """
    model.load_state_dict(checked_state_dict(model, checkpoint), strict=True)


def checked_state_dict(model: nn.Module, checkpoint: str) -> dict:
    """The state dict of ``checkpoint`` (``module.`` prefixes removed), checked to fit
    ``model`` key by key and shape by shape.

    Raises:
        FileNotFoundError: No such file.
        ValueError: Unreadable file, or keys / shapes that do not match the model.
    """
    ckpt = read_checkpoint(checkpoint)
    state = ckpt.get('state_dict', ckpt)
    if not isinstance(state, dict):
        raise InputError(f'checkpoint {checkpoint} holds no state dict')
    state = {k[len('module.'):] if k.startswith('module.') else k: v for k, v in state.items()}
    problem = _state_mismatch(model.state_dict(), state)
    if problem:
        raise InputError(f'checkpoint {checkpoint} does not fit the model '
                         f'{type(model).__name__} of this config: {problem}')
    return state


def _state_mismatch(own: dict, state: dict) -> str:
    """Summary of missing / unexpected / reshaped keys ('' when they match)."""
    missing = [k for k in own if k not in state]
    unexpected = [k for k in state if k not in own]
    reshaped = [k for k in own if k in state and hasattr(state[k], 'shape')
                and tuple(state[k].shape) != tuple(own[k].shape)]
    parts = []
    for what, keys in (('missing', missing), ('unexpected', unexpected),
                       ('with another shape', reshaped)):
        if keys:
            parts.append(f'{len(keys)} keys {what} (e.g. {keys[0]})')
    return '; '.join(parts)

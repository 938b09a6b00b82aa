"""``--box`` / ``--scribble``: first masks from prompts on the command line."""
import argparse
from typing import Optional

import numpy as np


def add_prompt_args(parser: argparse.ArgumentParser) -> None:
    """Add ``--box x0,y0,x1,y1`` (repeatable, one per object) and ``--scribble PNG``."""
    group = parser.add_argument_group('prompts instead of a first mask')
    group.add_argument('--box', action='append', metavar='x0,y0,x1,y1',
                       help='a box around one object on the first frame, in pixels (x1, y1 '
                       'exclusive); repeat for more objects (ids 1, 2, ... in order)')
    group.add_argument('--scribble', metavar='PNG',
                       help='a sparse palette PNG of the first frame\'s size: a few strokes '
                       'per object (its id), 0 = unknown, 255 = background strokes')


def prompt_given(args: argparse.Namespace) -> bool:
    """Whether ``--box`` or ``--scribble`` was given."""
    return bool(args.box) or args.scribble is not None


def check_prompt_args(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """At most one of ``--mask``, ``--box``, ``--scribble`` (argparse error otherwise)."""
    given = [name for name, value in (('--mask', args.mask), ('--box', args.box),
                                      ('--scribble', args.scribble)) if value]
    if len(given) > 1:
        parser.error(f'give one of --mask, --box, --scribble (got {", ".join(given)})')


def prompt_first_mask(args: argparse.Namespace, frame: np.ndarray,
                      segmenter=None) -> Optional[np.ndarray]:
    """The first mask made from ``--box`` / ``--scribble`` (None when neither is given).

    Raises:
        ValueError, FileNotFoundError: A bad box or scribble (one line).
    """
    if not prompt_given(args):
        return None
    from shls.apis.box_prompt import first_mask_from_prompt
    if args.box:
        return first_mask_from_prompt(frame, boxes=list(args.box), segmenter=segmenter)
    return first_mask_from_prompt(frame, scribble=args.scribble)

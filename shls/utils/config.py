"""Loading configs and applying ``--cfg-options`` with key validation."""
import argparse
import ast
import inspect
import os.path as osp
from typing import Any, Dict, Iterable, List, Optional, Sequence

from mmengine.config import Config, DictAction

from .errors import ConfigError
from .keys import suggest

__all__ = ['BASE_ONLY_KEYS', 'ConfigError', 'check_arguments', 'check_key', 'load_config',
           'merge_options', 'parse_options', 'without_delete_markers']

#: Variables that ``_base_`` files define for the configs that list them to read (e.g.
#: ``model = dict(test_cfg=_base_.cpu_test_cfg)``); no component reads them, so the loaded
#: config drops them and an override of one is an unknown key instead of a silent no-op.
BASE_ONLY_KEYS = ('cpu_test_cfg',)


def load_config(path: str, options: Optional[Sequence[str]] = None) -> Config:
    """Read a Python config and merge ``KEY=VALUE`` overrides into it.

    Every override key must already exist in the config, or name an argument that the
    component's class (its ``type``) accepts; anything else is a :class:`ConfigError`
    with a suggestion, so a typo never trains with a silently ignored setting.

    Args:
        path: Config file.
        options: Overrides as given on the command line (``a.b=1``, ``c=[1,2]``).

    Returns:
        The merged config.
    """
    if not osp.isfile(path):
        raise ConfigError(f'config file {path} does not exist')
    try:
        cfg = Config.fromfile(path)
    except Exception as err:  # mmengine raises many types for a bad file
        detail = str(err).strip().splitlines()[0] if str(err).strip() else ''
        raise ConfigError(f'cannot load config {path}: {type(err).__name__}: {detail}') \
            from err
    for key in BASE_ONLY_KEYS:
        cfg.pop(key, None)
    merge_options(cfg, parse_options(options or []))
    return cfg


def merge_options(cfg: Config, overrides: Dict[str, Any]) -> None:
    """Check each dotted key of ``overrides`` (:func:`check_key`), then merge them all
    into ``cfg`` in place.

    A dict literal (see :func:`parse_options`) replaces the value at its key; where the
    config has no value there (a constructor default), it simply becomes the value.
    """
    overrides = dict(overrides)
    for key, value in overrides.items():
        if not check_key(cfg, key, value) and isinstance(value, dict):
            overrides[key] = without_delete_markers(value)
    if overrides:
        cfg.merge_from_dict(overrides)


def without_delete_markers(value: Any) -> Any:
    """``value`` with the ``_delete_`` keys of :func:`parse_options`' dict literals
    removed (for options applied to something other than a config)."""
    if isinstance(value, dict):
        return {k: without_delete_markers(v) for k, v in value.items() if k != '_delete_'}
    return value


def parse_options(options: Sequence[str]) -> Dict[str, Any]:
    """Parse ``KEY=VALUE`` strings the way mmengine's ``DictAction`` does, plus Python
    dict literals (``handcrafted={'type': 'SuperpixelColourStats'}``), which replace the
    config's value whole."""
    plain, literal = [], {}
    for item in options:
        if '=' not in item:
            raise ConfigError(f'--cfg-options: expected KEY=VALUE, got {item!r}')
        key, value = item.split('=', 1)
        scalar = _is_scalar(value)
        if value.lstrip().startswith('dict(') or (not scalar and 'dict(' in value):
            # mmengine's parser recurses forever on it
            raise ConfigError(f"--cfg-options {key}: write a dict as {{'name': value, ...}}, "
                              f"not {value.strip()!r}")
        if scalar:  # DictAction would delete its spaces (a path 'my data/')
            literal[key] = DictAction._parse_int_float_bool(value.strip('\'"'))
        elif value.lstrip().startswith('{'):
            parsed = _literal(key, value, dict, 'a dict')
            literal[key] = dict(parsed, _delete_=True)  # a literal replaces the whole value
        elif '{' in value:  # a list or tuple of dicts (DictAction cannot parse one)
            literal[key] = _literal(key, value, (list, tuple), 'a list or tuple')
        else:
            plain.append(item)
    namespace = argparse.Namespace(options={})
    if plain:
        DictAction(option_strings=[], dest='options')(None, namespace, plain)
    return {**namespace.options, **literal}


def _literal(key: str, value: str, kind: Any, what: str) -> Any:
    """``value`` read as a Python literal of ``kind``, or a :class:`ConfigError`."""
    try:
        parsed = ast.literal_eval(value.strip())
    except (ValueError, SyntaxError) as err:
        raise ConfigError(f'--cfg-options {key}: cannot parse {value!r} as {what}') from err
    if not isinstance(parsed, kind):
        raise ConfigError(f'--cfg-options {key}: {value!r} is not {what}')
    return parsed


def _is_scalar(value: str) -> bool:
    """A value without list / tuple / dict syntax (kept verbatim, spaces included)."""
    return not value.lstrip().startswith(('[', '(', '{')) and ',' not in value


_UNSET = object()


def check_key(cfg: Config, key: str, value: Any = _UNSET) -> bool:
    """Raise :class:`ConfigError` unless ``key`` (dotted) can be set in ``cfg`` (to
    ``value``, when given: a text where the config or the component's default is a
    number or a boolean is an error naming the key and the expected type).

    Returns:
        True if ``cfg`` sets the key, False if it names an argument the component's
        class accepts (left at its default by the config).
    """
    node: Any = cfg.to_dict()
    parts = key.split('.')
    for depth, part in enumerate(parts):
        here = '.'.join(parts[:depth + 1])
        last = depth == len(parts) - 1
        if isinstance(node, (list, tuple)):
            if not part.isdigit() or int(part) >= len(node):
                raise ConfigError(f'unknown config key {key!r}: {here!r} is not an index of '
                                  f'a list of {len(node)}')
            node = node[int(part)]
            continue
        if not isinstance(node, dict):
            raise ConfigError(f'unknown config key {key!r}: {".".join(parts[:depth])!r} is '
                              'not a dict')
        if part in node:
            node = node[part]
            if last:
                _check_type(key, value, node)
            continue
        if last and _accepts(node, part, top_level=depth == 0):
            _check_type(key, value, _type_default(node, part, top_level=depth == 0))
            return False
        options = _test_cfg_options(parts[:depth])
        if last and part in options:  # an inference option the config leaves at default
            _check_type(key, value, options[part])
            return False
        raise ConfigError(f'unknown config key {key!r}'
                          f'{suggest(part, _known(node, depth) + list(options))}')
    return True


def _test_cfg_options(path: List[str]) -> Dict[str, Any]:
    """The inference options and their defaults when ``path`` is ``model.test_cfg``
    (read by :class:`shls.apis.VideoSegmenter`, not by a constructor), the keys of its
    option dicts without a ``type`` (``flow_prior``, ``boundary_partition``; no type
    check) under them, else ``{}``."""
    if path[:2] != ['model', 'test_cfg'] or len(path) > 3:
        return {}
    if len(path) == 2:
        from shls.apis.test_cfg import DEFAULT_TEST_CFG, TEXT_OPTIONS
        return {k: _UNSET if k in TEXT_OPTIONS else v for k, v in DEFAULT_TEST_CFG.items()}
    from shls.models.memory.flow_prior import FLOW_PRIOR_KEYS
    from shls.models.segmentors.boundary_band import KEYS as BOUNDARY_KEYS
    untyped = {'flow_prior': FLOW_PRIOR_KEYS, 'boundary_partition': BOUNDARY_KEYS}
    return dict.fromkeys(untyped.get(path[2], ()), _UNSET)


def check_arguments(cls: type, names: Iterable[str], what: str) -> None:
    """Raise :class:`ConfigError` for the first of ``names`` that the constructor of
    ``cls`` (and of its bases, through ``**kwargs``) does not accept.

    Args:
        cls: A component class.
        names: Argument names a config gives it.
        what: How to call the component in the message.
    """
    known = _type_args(cls)
    if known is None:  # the constructor takes any keyword
        return
    for name in names:
        if name not in known:
            raise ConfigError(f'{what} got an unexpected keyword argument '
                              f'{name!r}{suggest(name, known)}')


def _check_type(key: str, value: Any, current: Any) -> None:
    """A text override of a number / boolean setting is a :class:`ConfigError`."""
    if value is _UNSET or current is _UNSET or not isinstance(value, str):
        return
    for kind, name in ((bool, 'a boolean (True / False)'), (int, 'an integer'),
                       (float, 'a number')):
        if isinstance(current, kind):
            raise ConfigError(f'--cfg-options {key}={value}: expected {name} like '
                              f'{current!r}, got the text {value!r}')


def _type_default(node: dict, name: str, top_level: bool) -> Any:
    """Default value of argument ``name`` of the node's component (``_UNSET`` if none)."""
    if top_level or 'type' not in node:
        return _UNSET
    type_ = node['type']
    cls = type_ if inspect.isclass(type_) else _lookup(type_)
    if cls is None:
        return _UNSET
    for klass in cls.__mro__:
        if klass is object or '__init__' not in vars(klass):
            continue
        param = inspect.signature(klass.__init__).parameters.get(name)
        if param is not None and param.default is not param.empty:
            return param.default
    return _UNSET


def _known(node: dict, depth: int) -> List[str]:
    names = list(node.keys())
    if depth == 0:
        names += _runner_args()
    elif 'type' in node:
        names += _type_args(node['type']) or []
    return names


def _accepts(node: dict, name: str, top_level: bool) -> bool:
    if top_level:
        return name in _runner_args()
    if 'type' not in node:
        return False
    args = _type_args(node['type'])
    return args is None or name in args


def _type_args(type_: Any) -> Optional[List[str]]:
    """Constructor argument names of a registered type; None if unknown or **kwargs."""
    cls = type_ if inspect.isclass(type_) else _lookup(type_)
    if cls is None:
        return None
    names = []
    for klass in cls.__mro__:
        if klass is object or '__init__' not in vars(klass):
            continue
        params = inspect.signature(klass.__init__).parameters.values()
        names += [p.name for p in params if p.name != 'self' and p.kind not in (
            p.VAR_POSITIONAL, p.VAR_KEYWORD)]
        if not any(p.kind == p.VAR_KEYWORD for p in params):
            return names
    return None


def _lookup(name: Any):
    if not isinstance(name, str):
        return None
    from shls import registry
    from shls.utils.setup_env import register_all_modules
    register_all_modules(init_default_scope=False)
    for reg in (registry.MODELS, registry.DATASETS, registry.TRANSFORMS, registry.METRICS,
                registry.HOOKS, registry.LOOPS, registry.OPTIM_WRAPPERS, registry.OPTIMIZERS,
                registry.PARAM_SCHEDULERS, registry.DATA_SAMPLERS, registry.VISUALIZERS,
                registry.VISBACKENDS, registry.EVALUATOR):
        cls = reg.get(name)
        if cls is not None:
            return cls
    return None


def _runner_args() -> List[str]:
    from mmengine.runner import Runner
    return [p for p in inspect.signature(Runner.__init__).parameters if p != 'self']

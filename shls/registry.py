"""shls registries: children of mmengine's root registries.

Each child lists the package ``locations`` that hold its modules, so that building a
``type`` by name imports the right module lazily (the mmsegmentation 1.x pattern). A
plugin under ``projects/`` registers into these same registries from its own package and
is loaded with ``custom_imports`` in its config.
"""
import copy

from mmengine.registry import DATA_SAMPLERS as MMENGINE_DATA_SAMPLERS
from mmengine.registry import DATASETS as MMENGINE_DATASETS
from mmengine.registry import EVALUATOR as MMENGINE_EVALUATOR
from mmengine.registry import FUNCTIONS as MMENGINE_FUNCTIONS
from mmengine.registry import HOOKS as MMENGINE_HOOKS
from mmengine.registry import LOG_PROCESSORS as MMENGINE_LOG_PROCESSORS
from mmengine.registry import LOOPS as MMENGINE_LOOPS
from mmengine.registry import METRICS as MMENGINE_METRICS
from mmengine.registry import MODEL_WRAPPERS as MMENGINE_MODEL_WRAPPERS
from mmengine.registry import MODELS as MMENGINE_MODELS
from mmengine.registry import OPTIM_WRAPPER_CONSTRUCTORS as MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS
from mmengine.registry import OPTIM_WRAPPERS as MMENGINE_OPTIM_WRAPPERS
from mmengine.registry import OPTIMIZERS as MMENGINE_OPTIMIZERS
from mmengine.registry import PARAM_SCHEDULERS as MMENGINE_PARAM_SCHEDULERS
from mmengine.registry import RUNNER_CONSTRUCTORS as MMENGINE_RUNNER_CONSTRUCTORS
from mmengine.registry import RUNNERS as MMENGINE_RUNNERS
from mmengine.registry import TASK_UTILS as MMENGINE_TASK_UTILS
from mmengine.registry import TRANSFORMS as MMENGINE_TRANSFORMS
from mmengine.registry import VISBACKENDS as MMENGINE_VISBACKENDS
from mmengine.registry import VISUALIZERS as MMENGINE_VISUALIZERS
from mmengine.registry import WEIGHT_INITIALIZERS as MMENGINE_WEIGHT_INITIALIZERS
from mmengine.registry import Registry

from shls.utils.errors import ConfigError, UnknownNameError

# Models: backbones, superpixel generators, heads, losses, memory banks, decoders,
# segmentors and data preprocessors.
MODELS = Registry('model', parent=MMENGINE_MODELS, locations=['shls.models'])
MODEL_WRAPPERS = Registry('model_wrapper', parent=MMENGINE_MODEL_WRAPPERS,
                          locations=['shls.models'])
DATASETS = Registry('dataset', parent=MMENGINE_DATASETS, locations=['shls.datasets'])
DATA_SAMPLERS = Registry('data sampler', parent=MMENGINE_DATA_SAMPLERS,
                         locations=['shls.datasets'])
TRANSFORMS = Registry('transform', parent=MMENGINE_TRANSFORMS,
                      locations=['shls.datasets.transforms'])
METRICS = Registry('metric', parent=MMENGINE_METRICS, locations=['shls.evaluation'])
EVALUATOR = Registry('evaluator', parent=MMENGINE_EVALUATOR, locations=['shls.evaluation'])
HOOKS = Registry('hook', parent=MMENGINE_HOOKS, locations=['shls.engine.hooks'])
LOOPS = Registry('loop', parent=MMENGINE_LOOPS, locations=['shls.engine'])
OPTIMIZERS = Registry('optimizer', parent=MMENGINE_OPTIMIZERS, locations=['shls.engine'])
OPTIM_WRAPPERS = Registry('optim_wrapper', parent=MMENGINE_OPTIM_WRAPPERS,
                          locations=['shls.engine'])
PARAM_SCHEDULERS = Registry('parameter scheduler', parent=MMENGINE_PARAM_SCHEDULERS,
                            locations=['shls.engine'])
VISBACKENDS = Registry('vis_backend', parent=MMENGINE_VISBACKENDS,
                       locations=['shls.visualization'])
VISUALIZERS = Registry('visualizer', parent=MMENGINE_VISUALIZERS,
                       locations=['shls.visualization'])
# Runners: SHLSRunner (shls.engine.runner).
RUNNERS = Registry('runner', parent=MMENGINE_RUNNERS, locations=['shls.engine'])
# Registries shls adds nothing to yet; children exist so that every lookup under the
# 'shls' scope resolves without falling back with a warning.
RUNNER_CONSTRUCTORS = Registry('runner constructor', parent=MMENGINE_RUNNER_CONSTRUCTORS,
                               locations=['shls.engine'])
OPTIM_WRAPPER_CONSTRUCTORS = Registry('optimizer wrapper constructor',
                                      parent=MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS,
                                      locations=['shls.engine'])
WEIGHT_INITIALIZERS = Registry('weight initializer', parent=MMENGINE_WEIGHT_INITIALIZERS,
                               locations=['shls.models'])
TASK_UTILS = Registry('task util', parent=MMENGINE_TASK_UTILS, locations=['shls.models'])
LOG_PROCESSORS = Registry('log_processor', parent=MMENGINE_LOG_PROCESSORS,
                          locations=['shls.engine'])
FUNCTIONS = Registry('function', parent=MMENGINE_FUNCTIONS, locations=['shls.datasets'])


def build_component(cfg: dict, what: str, examples: str, registry: Registry = MODELS):
    """Build a config ``dict(type=..., ...)`` of ``registry`` with one-line errors.

    Args:
        cfg: The config (copied, never changed).
        what: What the config sets, for the messages (e.g. ``'test_cfg.edge_aware'``).
        examples: Registered types to suggest when ``type`` is unknown.
        registry: Where ``type`` is looked up.

    Raises:
        ConfigError: Not a dict with a ``type``, or arguments the type does not take.
        UnknownNameError: An unregistered ``type``.
    """
    if not isinstance(cfg, dict) or 'type' not in cfg:
        raise ConfigError(f"{what} must be a dict with a 'type' (e.g. {examples}), got "
                          f"{cfg!r}")
    if registry.get(cfg['type']) is None:
        raise UnknownNameError(f"{what}: unknown type {cfg['type']!r} (try {examples})")
    try:
        return registry.build(copy.deepcopy(dict(cfg)))
    except TypeError as error:
        raise ConfigError(f'{what}: {error}') from None

"""Registering every shls module and setting the default registry scope."""
import datetime
import warnings

from mmengine import DefaultScope


def register_all_modules(init_default_scope: bool = True) -> None:
    """Import all shls modules so that they register themselves.

    Args:
        init_default_scope: Whether to set the default scope to ``'shls'`` so that
            configs resolve ``type`` names in shls registries first.
    """
    import shls.datasets  # noqa: F401
    import shls.engine  # noqa: F401
    import shls.evaluation  # noqa: F401
    import shls.models  # noqa: F401

    if not init_default_scope:
        return
    current = DefaultScope.get_current_instance()
    if current is None:
        DefaultScope.get_instance('shls', scope_name='shls')
    elif current.scope_name != 'shls':
        warnings.warn(f'The current default scope "{current.scope_name}" is not "shls"; '
                      'a new default scope named "shls" is created.')
        name = f'shls-{datetime.datetime.now()}'
        DefaultScope.get_instance(name, scope_name='shls')

"""--cfg-options parsing: paths with spaces and non-ASCII characters survive."""
from shls.utils.config import parse_options, without_delete_markers


def test_scalar_values_keep_their_spaces():
    options = parse_options(['data_root=my data/DAVIS é 日本', 'n=3', 'x=0.5', 'flag=False',
                             'none=None', "quoted='a b'"])
    assert options == {'data_root': 'my data/DAVIS é 日本', 'n': 3, 'x': 0.5, 'flag': False,
                       'none': None, 'quoted': 'a b'}


def test_lists_tuples_and_dicts_are_still_parsed():
    options = parse_options(['a=[1, 2]', 'b=(64,64)', 'c=x,y', "d={'type': 'T'}"])
    assert options['a'] == [1, 2] and options['b'] == (64, 64) and options['c'] == ['x', 'y']
    assert options['d'] == {'type': 'T', '_delete_': True}
    # options applied to something other than a config drop the merge marker
    assert without_delete_markers(options)['d'] == {'type': 'T'}


def test_check_arguments_follows_kwargs_to_the_base_classes():
    import pytest

    from shls.models.saliency.ensemble import MBDContrastSaliency
    from shls.utils.config import check_arguments
    from shls.utils.errors import ConfigError
    check_arguments(MBDContrastSaliency, ['mbd', 'weights', 'max_side', 'refiner'], 'x')
    with pytest.raises(ConfigError, match="unexpected keyword argument 'max_sde'.*max_side"):
        check_arguments(MBDContrastSaliency, ['max_sde'], 'x')


def test_inference_options_the_config_leaves_unset_can_be_overridden():
    """Every key of DEFAULT_TEST_CFG is an option of model.test_cfg, set in the config or
    not (the accurate model's config never mentions int8)."""
    import pytest

    from shls.apis.inference import _load_cfg
    from shls.utils.errors import ConfigError
    from shls.utils.shipped import SHIPPED_CONFIG
    cfg = _load_cfg(SHIPPED_CONFIG, {'model.test_cfg.int8': True,
                                     'model.test_cfg.extra_partitions': []})
    assert cfg.model.test_cfg.int8 is True and cfg.model.test_cfg.extra_partitions == []
    assert _load_cfg(SHIPPED_CONFIG, {'model.test_cfg.int8': 'auto'}).model.test_cfg.int8 \
        == 'auto'  # a text where the default is a boolean
    with pytest.raises(ConfigError, match="'model.test_cfg.int9' .*did you mean 'int8'"):
        _load_cfg(SHIPPED_CONFIG, {'model.test_cfg.int9': True})
    with pytest.raises(ConfigError, match='expected a number like 1.0'):
        _load_cfg(SHIPPED_CONFIG, {'model.test_cfg.working_scale': 'half'})


def test_lists_of_dicts_are_parsed_and_dict_calls_refused():
    import pytest

    from shls.utils.errors import ConfigError
    options = parse_options(["p=[{'type': 'A', 'shift': 5}, {'type': 'B'}]", 'q=({"a": 1},)'])
    assert options == {'p': [{'type': 'A', 'shift': 5}, {'type': 'B'}], 'q': ({'a': 1},)}
    with pytest.raises(ConfigError, match=r"write a dict as \{'name': value"):
        parse_options(["p=[dict(type='A')]"])
    with pytest.raises(ConfigError, match='cannot parse .* as a list or tuple'):
        parse_options(["p=[{'type': 'A'}"])


def test_keys_of_untyped_option_dicts_the_config_leaves_unset_can_be_overridden():
    """flow_prior and boundary_partition are dicts without a type: their keys are known
    by name (the accurate model's config sets no flow_prior.preset)."""
    import pytest

    from shls.apis.inference import _load_cfg
    from shls.utils.errors import ConfigError
    from shls.utils.shipped import SHIPPED_CONFIG
    cfg = _load_cfg(SHIPPED_CONFIG, {'model.test_cfg.flow_prior.preset': 'fast',
                                     'model.test_cfg.boundary_partition.share': 0.5})
    assert cfg.model.test_cfg.flow_prior.preset == 'fast'
    assert cfg.model.test_cfg.boundary_partition.share == 0.5
    for key, near in (('flow_prior.presett', 'preset'), ('boundary_partition.shar', 'share')):
        with pytest.raises(ConfigError, match=f"'model.test_cfg.{key}' .*did you mean "
                                              f"'{near}'"):
            _load_cfg(SHIPPED_CONFIG, {f'model.test_cfg.{key}': 1})

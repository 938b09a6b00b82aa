"""--cfg-options parsing: paths with spaces and non-ASCII characters survive."""
from shls.utils.config import parse_options


def test_scalar_values_keep_their_spaces():
    options = parse_options(['data_root=my data/DAVIS é 日本', 'n=3', 'x=0.5', 'flag=False',
                             'none=None', "quoted='a b'"])
    assert options == {'data_root': 'my data/DAVIS é 日本', 'n': 3, 'x': 0.5, 'flag': False,
                       'none': None, 'quoted': 'a b'}


def test_lists_tuples_and_dicts_are_still_parsed():
    options = parse_options(['a=[1, 2]', 'b=(64,64)', 'c=x,y', "d={'type': 'T'}"])
    assert options['a'] == [1, 2] and options['b'] == (64, 64) and options['c'] == ['x', 'y']
    assert options['d'] == {'type': 'T', '_delete_': True}

"""shls.utils.keys: the one "did you mean" validator of option keys."""
import pytest

from shls.apis import VideoSegmenter
from shls.models.baselines import FirstMaskCopy
from shls.models.segmentors.shls import merge_train_cfg
from shls.utils.keys import check_known_keys, suggest


def test_suggest():
    assert suggest('roi_margn', ['roi', 'roi_margin']) == " (did you mean 'roi_margin'?)"
    assert suggest('zzz', ['roi', 'roi_margin']) == ''
    assert suggest('1', [1, 2]) == " (did you mean '1'?)"  # known keys compared as text


def test_check_known_keys_message_shape():
    check_known_keys({'a': 1}, {'a': 0, 'b': 0}, 'test_cfg')
    check_known_keys([], [], 'test_cfg')
    with pytest.raises(ValueError) as err:
        check_known_keys({'a': 1, 'bb': 2}, ['a', 'b'], 'test_cfg')
    assert str(err.value) == "unknown test_cfg key 'bb' (did you mean 'b'?); known: a, b"
    with pytest.raises(ValueError) as err:
        check_known_keys(['x'], [], 'test_cfg', owner='Copy')
    assert str(err.value) == "Copy: unknown test_cfg key 'x'; known: none"


@pytest.mark.parametrize('call, message', [
    (lambda: merge_train_cfg(dict(roi_jiter=1)),
     "unknown model train_cfg key 'roi_jiter' (did you mean 'roi_jitter'?); known: "),
    (lambda: VideoSegmenter.merge_test_cfg({}, dict(refne=False)),
     "unknown test_cfg key 'refne' (did you mean 'refine'?); known: presegmentation, "),
    (lambda: FirstMaskCopy().build_segmenter(preset='fast'),
     "FirstMaskCopy: unknown test_cfg key 'preset'; known: none"),
])
def test_every_site_uses_the_same_wording(call, message):
    with pytest.raises(ValueError) as err:
        call()
    assert str(err.value).startswith(message)


def test_model_only_test_cfg_keys_are_skipped():
    cfg = VideoSegmenter.merge_test_cfg(dict(superpixels=dict(type='X'), refine=False),
                                        dict(roi=False))
    assert 'superpixels' not in cfg and cfg['refine'] is False and cfg['roi'] is False

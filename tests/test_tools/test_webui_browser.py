"""tools/webui.py in headless Chromium: box on the swan, segment, J&F, downloads, bad uploads.

Skips where no Chromium + chromedriver is installed (Debian: ``apt-get install chromium
chromium-driver``; ``.ci/run`` installs them) or Selenium / Flask are missing.
"""
import io
import json
import os
import os.path as osp
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile

import pytest

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
GT = osp.join(REPO, 'demo', 'davis', 'Annotations', '480p', 'blackswan')
SWAN_BOX = (127, 73, 510, 385)  # the tight box of the swan in the first annotation
FRAME = (854, 480)
CHROMIUM = shutil.which('chromium') or shutil.which('chromium-browser')
DRIVER = shutil.which('chromedriver')

webdriver = pytest.importorskip('selenium.webdriver')
pytest.importorskip('flask')
pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER),
                                reason='no chromium + chromedriver installed')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


@pytest.fixture(scope='module')
def server(tmp_path_factory):
    """The web page on a free localhost port; yields ``(url, its temporary folder)``."""
    tmp = tmp_path_factory.mktemp('webui')
    port = free_port()
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONPATH=REPO)
    log = open(tmp / 'server.log', 'w')
    proc = subprocess.Popen([sys.executable, osp.join(REPO, 'tools', 'webui.py'), '--port',
                             str(port), '--device', 'cpu', '--tmp-dir', str(tmp / 'uploads')],
                            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f'http://127.0.0.1:{port}'
    deadline = time.time() + 180
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            break
        except OSError:
            assert proc.poll() is None, (tmp / 'server.log').read_text()
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail('the web page did not start: ' + (tmp / 'server.log').read_text())
    yield url, tmp / 'uploads'
    proc.terminate()
    proc.wait(timeout=30)
    log.close()


@pytest.fixture(scope='module')
def browser():
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    options = Options()
    options.binary_location = CHROMIUM
    for flag in ('--headless=new', '--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu',
                 '--window-size=1100,1000'):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_script_timeout(60)
    yield driver
    driver.quit()


def wait_for(driver, condition, timeout=60.0, what='the page'):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = condition(driver)
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f'timed out waiting for {what}; message: '
                         f'{driver.find_element("id", "message").text!r}')


def drag_box(driver, box):
    """Drag the mouse over the canvas from one corner of ``box`` (frame pixels) to the
    other, as a person would."""
    from selenium.webdriver.common.action_chains import ActionChains
    canvas = driver.find_element('id', 'canvas')
    width, height = canvas.size['width'], canvas.size['height']

    def offset(x, y):  # from the canvas centre, in CSS pixels
        return (round(x * width / FRAME[0] - width / 2), round(y * height / FRAME[1] - height / 2))

    x0, y0 = offset(box[0] + 1, box[1] + 1)
    x1, y1 = offset(box[2] - 1, box[3] - 1)
    (ActionChains(driver).move_to_element_with_offset(canvas, x0, y0).click_and_hold()
     .move_by_offset((x1 - x0) // 2, (y1 - y0) // 2).move_by_offset(x1 - x0 - (x1 - x0) // 2,
                                                                     y1 - y0 - (y1 - y0) // 2)
     .release().perform())


def test_box_segment_score_download_and_bad_uploads(server, browser, tmp_path):
    from shls.evaluation.video_score import score_video
    url, uploads = server
    browser.get(url)
    browser.find_element('id', 'bundled').click()
    wait_for(browser, lambda d: d.find_element('tag name', 'body').get_attribute('data-clip'),
             what='the bundled clip')
    drag_box(browser, SWAN_BOX)
    wait_for(browser, lambda d: d.find_element('tag name', 'body').get_attribute(
        'data-preview') == '0', what='the first mask')
    assert 'objects 1' in browser.find_element('id', 'message').text
    browser.find_element('id', 'segment').click()
    job = wait_for(browser, lambda d: d.find_element('tag name', 'body').get_attribute(
        'data-job'), timeout=400, what='the segmentation')
    assert int(browser.find_element('id', 'progress').get_attribute('value')) == 50
    # scrub to a later frame: the overlay of the result is shown
    browser.execute_script("const s = document.getElementById('frame-slider'); s.value = 25;"
                           "s.dispatchEvent(new Event('input'));")
    wait_for(browser, lambda d: d.find_element('id', 'frame-label').text == 'frame 25')
    # the overlay video plays in the browser (H.264)
    video = browser.find_element('id', 'video')
    wait_for(browser, lambda d: d.execute_script('return arguments[0].readyState', video) >= 1,
             what='the overlay video')
    assert browser.execute_script('return arguments[0].duration', video) > 1.0
    # download the palette zip through its link and score it against the annotations
    href = browser.find_element('id', 'dl-palette').get_attribute('href')
    assert job in href
    with urllib.request.urlopen(href, timeout=60) as response:
        archive = zipfile.ZipFile(io.BytesIO(response.read()))
    assert len(archive.namelist()) == 50
    archive.extractall(tmp_path / 'masks')
    scores = score_video(str(tmp_path / 'masks'), GT, 'blackswan')
    assert 100 * scores['J&F-Mean'] >= 70, scores
    with urllib.request.urlopen(browser.find_element('id', 'dl-coco-rle').get_attribute('href'),
                                timeout=60) as response:
        rle = json.loads(zipfile.ZipFile(io.BytesIO(response.read())).read('masks.json'))
    assert rle['format'] == 'coco-rle' and len(rle['frames']) == 50
    # bad uploads: a clear message on the page, nothing left in the temporary folder
    (tmp_path / 'notes.txt').write_text('not a video')
    with zipfile.ZipFile(tmp_path / 'texts.zip', 'w') as texts:
        texts.writestr('a.txt', 'hello')
    for path, message in ((tmp_path / 'notes.txt', 'is not a video'),
                          (tmp_path / 'texts.zip', 'holds no image frames')):
        browser.find_element('id', 'file').send_keys(str(path))
        browser.find_element('id', 'upload').click()
        wait_for(browser, lambda d: message in d.find_element('id', 'message').text,
                 what=f'the message {message!r}')
        left = [n for n in os.listdir(uploads) if not n.startswith('shls-webui-job-')]
        assert left == [], left

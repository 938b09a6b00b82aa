"""The Flask app of ``tools/webui.py``: a plain HTML/JS page over the inference API."""
import base64
import io
import os.path as osp
import threading
from typing import Optional

import cv2
import numpy as np
from flask import Flask, Response, abort, jsonify, request, send_file

from shls.apis import VideoSegmenter
from shls.apis.box_prompt import first_mask_from_prompt
from shls.datasets import read_frame
from shls.structures.ids import NUM_LABEL_BINS, object_ids_in
from shls.utils.errors import InputError
from shls.visualization.palette import overlay
from .clips import MAX_UPLOAD_BYTES, ClipStore
from .jobs import DOWNLOADS, JobRunner, masks_archive

STATIC = osp.join(osp.dirname(osp.abspath(__file__)), 'static')
#: The bundled DAVIS clip.
BUNDLED = osp.join(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))), 'demo',
                   'davis', 'JPEGImages', '480p', 'blackswan')


def create_app(segmenter: VideoSegmenter, tmp_root: Optional[str] = None,
               bundled: str = BUNDLED) -> Flask:
    """The app: clips, box prompts, background jobs, results and downloads.

    Args:
        segmenter: Segments the jobs (:func:`shls.apis.init_segmenter`); a second
            segmenter on the same model makes the box previews.
        tmp_root: Where uploads and overlay videos live while the server runs.
        bundled: The frames folder offered as the bundled clip.
    """
    app = Flask(__name__, static_folder=STATIC, static_url_path='/static')
    app.config['MAX_CONTENT_LENGTH'] = MAX_UPLOAD_BYTES
    clips = ClipStore(tmp_root)
    jobs = JobRunner(segmenter, clips.root)
    preview = VideoSegmenter(segmenter.model)
    preview_lock = threading.Lock()
    app.extensions['shls'] = dict(clips=clips, jobs=jobs)

    @app.errorhandler(ValueError)
    @app.errorhandler(KeyError)
    @app.errorhandler(FileNotFoundError)
    def user_error(err):
        message = err.args[0] if isinstance(err, KeyError) and err.args else str(err)
        return jsonify(error=' '.join(str(message).split())), 400

    @app.errorhandler(413)
    def too_large(_):
        return jsonify(error=f'the file is larger than {MAX_UPLOAD_BYTES // 2**20} MB'), 413

    @app.get('/')
    def index():
        return send_file(osp.join(STATIC, 'index.html'))

    @app.post('/api/clip/bundled')
    def bundled_clip():
        return jsonify(clips.add_folder(bundled, 'blackswan (bundled DAVIS clip)').describe())

    @app.post('/api/clip/upload')
    def upload_clip():
        upload = request.files.get('file')
        if upload is None or not upload.filename:
            raise InputError('choose a file to upload (an mp4 or a zip of frames)')
        return jsonify(clips.add_upload(upload, upload.filename).describe())

    @app.get('/api/clip/<clip_id>/frame/<int:index>.jpg')
    def frame(clip_id: str, index: int):
        clip = clips.get(clip_id)
        if not 0 <= index < clip.num_frames:
            abort(404)
        return send_file(clip.frame_path(index), mimetype='image/jpeg', max_age=3600)

    @app.post('/api/clip/<clip_id>/prompt')
    def prompt(clip_id: str):
        """Boxes on a frame -> its mask (shown at once); frame 0 starts the objects."""
        clip = clips.get(clip_id)
        body = request.get_json(force=True, silent=True) or {}
        index = int(body.get('frame', 0))
        boxes = body.get('boxes') or []
        if not 0 <= index < clip.num_frames:
            raise InputError(f'frame {index} is outside the clip')
        if index != 0 and 0 not in clip.prompts:
            raise InputError('draw the first objects on frame 0 first')
        if not boxes:
            clip.prompts.pop(index, None)
            return jsonify(frame=index, objects=[], preview=None)
        rgb = read_frame(clip.frame_path(index))
        with preview_lock:
            local = first_mask_from_prompt(rgb, boxes=boxes, segmenter=preview)
        objects = None
        if index != 0:  # new objects after the ones of the earlier prompts
            known = {k for i, p in clip.prompts.items() if i != index
                     for k in object_ids_in(p['mask'])}
            start = max(known, default=0) + 1
            objects = list(range(start, start + len(boxes)))
            lut = np.zeros(NUM_LABEL_BINS, np.uint8)
            lut[1:len(objects) + 1] = objects
            local = lut[local]
        clip.prompts[index] = dict(mask=local, objects=objects)
        ids = object_ids_in(local)
        return jsonify(frame=index, objects=ids, preview=data_url(overlay(rgb, local)))

    @app.post('/api/clip/<clip_id>/segment')
    def segment(clip_id: str):
        return jsonify(jobs.submit(clips.get(clip_id)).describe())

    @app.get('/api/job/<job_id>')
    def job_state(job_id: str):
        return jsonify(jobs.get(job_id).describe())

    @app.get('/api/job/<job_id>/overlay/<int:index>.jpg')
    def job_overlay(job_id: str, index: int):
        job = jobs.get(job_id)
        if not 0 <= index < len(job.masks):
            abort(404)
        image = overlay(read_frame(job.clip.frame_path(index)), job.masks[index])
        return Response(jpeg(image), mimetype='image/jpeg')

    @app.get('/api/job/<job_id>/overlay.mp4')
    def job_video(job_id: str):
        job = jobs.get(job_id)
        if job.video is None:
            abort(404)
        return send_file(job.video, mimetype='video/mp4', conditional=True)

    @app.get('/api/job/<job_id>/masks-<fmt>.zip')
    def download(job_id: str, fmt: str):
        if fmt not in DOWNLOADS:
            abort(404)
        job = jobs.get(job_id)
        data = masks_archive(job, fmt)
        name = f'{osp.basename(job.clip.name.split(" ")[0])}_masks_{fmt}.zip'
        return send_file(io.BytesIO(data), mimetype='application/zip', as_attachment=True,
                         download_name=name)

    return app


def jpeg(rgb: np.ndarray, quality: int = 90) -> bytes:
    """JPEG bytes of an RGB image."""
    ok, data = cv2.imencode('.jpg', cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR),
                            [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise RuntimeError('could not encode a JPEG')
    return data.tobytes()


def data_url(rgb: np.ndarray) -> str:
    """A ``data:image/jpeg;base64,...`` URL of an RGB image."""
    return 'data:image/jpeg;base64,' + base64.b64encode(jpeg(rgb)).decode('ascii')

"""Segmentation jobs of the web page: one worker thread, progress, results in memory."""
import io
import os
import os.path as osp
import shutil
import tempfile
import threading
import traceback
import uuid
import zipfile
from dataclasses import dataclass, field
from typing import Dict, List, Optional

import numpy as np

from shls.apis import VideoSegmenter, open_frames, segment_video_prompted
from shls.outputs import OverlayVideoWriter, writer_class
from shls.structures.ids import object_ids_in
from shls.utils.errors import InputError
from .clips import Clip

#: Download formats: the mask writers of :mod:`shls.outputs.writers`.
DOWNLOADS = ('palette', 'per-object', 'coco-rle')


@dataclass
class Job:
    """One segmentation of a clip.

    Attributes:
        id: Its id in the page.
        clip: The clip.
        prompts: Prompts copied when the job was made.
        state: ``queued``, ``running``, ``done`` or ``error``.
        done: Frames segmented so far.
        masks: ``(H, W)`` uint8 id maps, one per frame done.
        video: The overlay H.264 MP4 once written.
        error: The message of a failed job.
    """

    id: str
    clip: Clip
    prompts: Dict[int, dict]
    state: str = 'queued'
    done: int = 0
    masks: List[np.ndarray] = field(default_factory=list)
    video: Optional[str] = None
    error: Optional[str] = None
    folder: Optional[str] = None

    def describe(self) -> dict:
        """What the page polls."""
        return dict(job=self.id, state=self.state, done=self.done,
                    total=self.clip.num_frames, error=self.error,
                    objects=sorted({k for p in self.prompts.values()
                                    for k in object_ids_in(p['mask'])}))


class JobRunner:
    """Runs jobs one after another on a worker thread (requests never wait for them).

    Args:
        segmenter: The segmenter every job uses (:func:`shls.apis.init_segmenter`); only
            the worker thread steps it.
        root: Folder for the jobs' temporary folders (overlay videos).
    """

    def __init__(self, segmenter: VideoSegmenter, root: Optional[str] = None) -> None:
        self.segmenter = segmenter
        self.root = root or tempfile.gettempdir()
        self._jobs: Dict[str, Job] = {}
        self._queue: List[Job] = []
        self._wake = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._work, name='shls-webui-jobs', daemon=True)
        self._thread.start()

    def submit(self, clip: Clip) -> Job:
        """Queue a job over the clip's current prompts.

        Raises:
            ValueError: No prompt on the clip yet.
        """
        if not clip.prompts:
            raise InputError('draw a box around an object first')
        job = Job(uuid.uuid4().hex[:12], clip, dict(clip.prompts))
        with self._wake:
            self._jobs[job.id] = job
            self._queue.append(job)
            self._wake.notify()
        return job

    def get(self, job_id: str) -> Job:
        """The job of an id (KeyError: unknown)."""
        if job_id not in self._jobs:
            raise KeyError(f'unknown job {job_id!r}')
        return self._jobs[job_id]

    def _work(self) -> None:
        while True:
            with self._wake:
                while not self._queue and not self._closed:
                    self._wake.wait()
                if self._closed:
                    return
                job = self._queue.pop(0)
            self._run(job)

    def _run(self, job: Job) -> None:
        """Segment the clip with the prompts (the API the CLI uses), then the overlay."""
        job.state = 'running'
        try:
            source = open_frames(job.clip.frames_dir, job.clip.fps)
            prompts = [dict(frame=index, mask=p['mask'], objects=p['objects'])
                       for index, p in sorted(job.prompts.items())]
            for pred in segment_video_prompted(self.segmenter, source, prompts):
                job.masks.append(pred)
                job.done += 1
            job.folder = tempfile.mkdtemp(prefix='shls-webui-job-', dir=self.root)
            video = osp.join(job.folder, 'overlay.mp4')
            with OverlayVideoWriter(video, job.clip.fps) as writer:
                for frame, mask in zip(open_frames(job.clip.frames_dir), job.masks):
                    writer.write(frame, mask)
            job.video = video
            job.state = 'done'
        except Exception as err:  # noqa: BLE001 (shown on the page)
            traceback.print_exc()
            job.error = ' '.join(str(err).split()) or type(err).__name__
            job.state = 'error'

    def close(self) -> None:
        """Stop the worker and remove the jobs' temporary folders."""
        with self._wake:
            self._closed = True
            self._wake.notify()
        for job in self._jobs.values():
            if job.folder:
                shutil.rmtree(job.folder, ignore_errors=True)


def masks_archive(job: Job, fmt: str) -> bytes:
    """A zip of the job's masks in a download format (the CLI's mask writers).

    Raises:
        ValueError: An unknown format, or a job that is not done.
    """
    if fmt not in DOWNLOADS:
        raise InputError(f'unknown download format {fmt!r}; one of {", ".join(DOWNLOADS)}')
    if job.state != 'done':
        raise InputError('the job is not done yet')
    source = open_frames(job.clip.frames_dir)
    folder = tempfile.mkdtemp(prefix='shls-webui-dl-', dir=osp.dirname(job.folder))
    try:
        writer = writer_class(fmt)(folder)
        for index, mask in enumerate(job.masks):
            writer.write(source.frame_name(index), mask)
        writer.close()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, 'w', zipfile.ZIP_DEFLATED) as archive:
            for name in sorted(os.listdir(folder)):
                if not name.startswith('.'):
                    archive.write(osp.join(folder, name), name)
        return buffer.getvalue()
    finally:
        shutil.rmtree(folder, ignore_errors=True)

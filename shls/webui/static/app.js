// The page: load a clip, draw boxes, segment in the background, scrub and download.
'use strict';
const $ = (id) => document.getElementById(id);
const state = { clip: null, frame: 0, boxes: {}, previews: {}, job: null, drag: null,
                image: new Image() };

function say(text, ok) { $('message').textContent = text || ''; $('message').className = ok ? 'ok' : ''; }

async function call(url, options) {
  const response = await fetch(url, options);
  const body = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
  if (!response.ok) throw new Error(body.error || `HTTP ${response.status}`);
  return body;
}

function startClip(clip) {
  Object.assign(state, { clip, frame: 0, boxes: {}, previews: {}, job: null });
  $('clip-name').textContent = `${clip.name}: ${clip.num_frames} frames, ${clip.width}x${clip.height}`;
  $('canvas').width = clip.width; $('canvas').height = clip.height;
  $('frame-slider').max = clip.num_frames - 1; $('frame-slider').value = 0;
  $('work').hidden = false; $('results').hidden = true;
  $('progress').value = 0; $('status').textContent = '';
  document.body.dataset.clip = clip.clip;
  showFrame(0);
}

function frameUrl(index) {
  const job = state.job;
  if (job && job.state === 'done') return `/api/job/${job.job}/overlay/${index}.jpg`;
  return state.previews[index] || `/api/clip/${state.clip.clip}/frame/${index}.jpg`;
}

function showFrame(index) {
  state.frame = index;
  $('frame-label').textContent = `frame ${index}`;
  state.image.onload = draw;
  state.image.src = frameUrl(index);
}

function draw() {
  const ctx = $('canvas').getContext('2d');
  ctx.drawImage(state.image, 0, 0);
  ctx.lineWidth = 2; ctx.strokeStyle = '#ffeb3b';
  for (const b of state.boxes[state.frame] || []) ctx.strokeRect(b[0], b[1], b[2] - b[0], b[3] - b[1]);
  if (state.drag) {
    const d = state.drag; ctx.strokeStyle = '#00e5ff';
    ctx.strokeRect(d.x0, d.y0, d.x1 - d.x0, d.y1 - d.y0);
  }
}

function toFrame(event) {
  const rect = $('canvas').getBoundingClientRect();
  const clamp = (v, hi) => Math.max(0, Math.min(hi, v));
  return [clamp((event.clientX - rect.left) * state.clip.width / rect.width, state.clip.width),
          clamp((event.clientY - rect.top) * state.clip.height / rect.height, state.clip.height)];
}

async function sendBoxes() {
  const frame = state.frame;
  say('making the mask ...', true);
  try {
    const body = await call(`/api/clip/${state.clip.clip}/prompt`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ frame, boxes: state.boxes[frame] || [] }) });
    if (body.preview) state.previews[frame] = body.preview; else delete state.previews[frame];
    state.job = null; $('results').hidden = true;
    say(body.objects.length ? `frame ${frame}: objects ${body.objects.join(', ')}` : '', true);
    document.body.dataset.preview = String(frame);
    showFrame(frame);
  } catch (err) {
    (state.boxes[frame] || []).pop();
    say(err.message); draw();
  }
}

$('canvas').addEventListener('pointerdown', (e) => {
  if (!state.clip) return;
  const [x, y] = toFrame(e);
  state.drag = { x0: x, y0: y, x1: x, y1: y };
  $('canvas').setPointerCapture(e.pointerId);
});
$('canvas').addEventListener('pointermove', (e) => {
  if (!state.drag) return;
  [state.drag.x1, state.drag.y1] = toFrame(e); draw();
});
$('canvas').addEventListener('pointerup', (e) => {
  if (!state.drag) return;
  [state.drag.x1, state.drag.y1] = toFrame(e);
  const d = state.drag; state.drag = null;
  const box = [Math.min(d.x0, d.x1), Math.min(d.y0, d.y1), Math.max(d.x0, d.x1), Math.max(d.y0, d.y1)].map(Math.round);
  if (box[2] - box[0] < 4 || box[3] - box[1] < 4) { draw(); return; }
  (state.boxes[state.frame] = state.boxes[state.frame] || []).push(box);
  sendBoxes();
});

$('clear').onclick = () => { state.boxes[state.frame] = []; sendBoxes(); };
$('frame-slider').oninput = (e) => showFrame(Number(e.target.value));

$('bundled').onclick = async () => {
  say('loading ...', true);
  try { startClip(await call('/api/clip/bundled', { method: 'POST' })); say('draw a box around an object', true); }
  catch (err) { say(err.message); }
};

$('upload').onclick = async () => {
  const file = $('file').files[0];
  if (!file) { say('choose a file first (an mp4 or a zip of frames)'); return; }
  const form = new FormData(); form.append('file', file);
  say('uploading and decoding ...', true);
  try { startClip(await call('/api/clip/upload', { method: 'POST', body: form })); say('draw a box around an object', true); }
  catch (err) { say(err.message); }
};

$('segment').onclick = async () => {
  try {
    state.job = await call(`/api/clip/${state.clip.clip}/segment`, { method: 'POST' });
    $('segment').disabled = true; $('results').hidden = true;
    poll();
  } catch (err) { say(err.message); }
};

async function poll() {
  const job = await call(`/api/job/${state.job.job}`);
  state.job = job;
  $('progress').max = job.total; $('progress').value = job.done;
  $('status').textContent = `${job.state}: ${job.done} / ${job.total} frames`;
  if (job.state === 'queued' || job.state === 'running') { setTimeout(poll, 300); return; }
  $('segment').disabled = false;
  if (job.state === 'error') { say(job.error); return; }
  for (const fmt of ['palette', 'per-object', 'coco-rle']) $(`dl-${fmt}`).href = `/api/job/${job.job}/masks-${fmt}.zip`;
  $('video').src = `/api/job/${job.job}/overlay.mp4`;
  $('results').hidden = false;
  document.body.dataset.job = job.job;
  say(`done: objects ${job.objects.join(', ')}; scrub the frames or play the video`, true);
  showFrame(state.frame);
}

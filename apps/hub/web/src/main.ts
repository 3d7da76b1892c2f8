import maplibregl, { type Map as MapLibreMap } from 'maplibre-gl';
import type { FeatureCollection } from 'geojson';
import 'maplibre-gl/dist/maplibre-gl.css';
import './style.css';
import { initApiKeys, rememberKeyForReads } from './api-keys';
import { boundsOf } from './footprint-bounds';
import { currentJobOptions, initJobOptions, type JobOptionsView, showJobOptions } from './job-options';
import { showJobActions } from './job-actions';
import { qualityReportRefresher } from './quality-report';
import type { Scene3d } from './viewer-3d';
import { addBaseLayer, mapSettings } from './base-layer';
import { addFootprints } from './footprint-layer';
import { MeasureControl } from './map-tools';
import { startDatasetJob, uploadPhotoSet } from './uploads';

interface Job {
  jobId: string;
  label: string | null;
  status: string;
  stage: string | null;
  createdAt: string;
  error: { name: string; reason: string } | null;
}
/** A job in detail: the stages its preset runs, in order, are the API's to say. */
interface JobDetail extends Job {
  stages: string[];
  request?: JobOptionsView | null;
}
interface PipelineEvent {
  type: string;
  jobId: string;
  at: string;
  stage?: string;
  percent?: number;
  attempt?: number;
  message?: string;
  error?: { name: string; reason: string };
}
interface Products {
  bbox: [number, number, number, number];
  tilejson?: string;
  downloads: { product: string; href: string }[];
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const keyInput = $<HTMLInputElement>('api-key');
keyInput.value = localStorage.getItem('aerial-api-key') ?? '';
rememberKeyForReads(keyInput.value.trim());
keyInput.addEventListener('change', () => {
  localStorage.setItem('aerial-api-key', keyInput.value.trim());
  rememberKeyForReads(keyInput.value.trim());
  // A Hub that requires a key for reads answered nothing before it: ask again.
  notice('');
  loadOptions();
  route();
});

async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const headers = new Headers(init.headers);
  if (keyInput.value.trim()) headers.set('authorization', `Bearer ${keyInput.value.trim()}`);
  if (init.body) headers.set('content-type', 'application/json');
  const response = await fetch(path, { ...init, headers });
  const body = (await response.json().catch(() => ({}))) as T & { error?: { reason: string; remedy?: string } };
  if (!response.ok)
    throw new Error(
      body.error
        ? `${body.error.reason}${body.error.remedy ? ` (${body.error.remedy})` : ''}`
        : `HTTP ${response.status}`,
    );
  return body;
}

function notice(text: string): void {
  $('notice').textContent = text;
}

let current: string | undefined;
let events: EventSource | undefined;
let map: MapLibreMap | undefined;
/** The stages the shown job's preset runs: the page asks only for what they make. */
let stages: string[] = [];

async function refreshJobs(): Promise<void> {
  const { jobs } = await api<{ jobs: Job[] }>('/api/jobs?limit=50');
  const list = $('jobs');
  list.replaceChildren(
    ...jobs.map((job) => {
      const li = document.createElement('li');
      const a = document.createElement('a');
      a.href = `#/jobs/${job.jobId}`;
      a.textContent = job.label ?? job.jobId;
      if (job.jobId === current) a.setAttribute('aria-current', 'page');
      const state = document.createElement('span');
      state.className = `state ${job.status}`;
      state.textContent = job.status;
      a.append(state);
      li.append(a);
      return li;
    }),
  );
}

/** One card per stage the job's preset runs (a map job has no 3D stages to wait for). */
function stageCards(
  stages: string[],
): Map<string, { progress: HTMLProgressElement; note: HTMLElement; li: HTMLElement }> {
  const cards = new Map<string, { progress: HTMLProgressElement; note: HTMLElement; li: HTMLElement }>();
  $('stages').replaceChildren(
    ...stages.map((stage) => {
      const li = document.createElement('li');
      li.dataset.stage = stage;
      const title = document.createElement('strong');
      title.textContent = stage;
      const progress = document.createElement('progress');
      progress.max = 100;
      progress.value = 0;
      progress.setAttribute('aria-label', `${stage} progress`);
      const note = document.createElement('small');
      note.textContent = 'waiting';
      li.append(title, progress, note);
      cards.set(stage, { progress, note, li });
      return li;
    }),
  );
  return cards;
}

async function showJob(jobId: string): Promise<void> {
  current = jobId;
  events?.close();
  qualityReport.clear();
  // Nothing of the previous job stays on the page: its map (with the measure tool) and its 3D view.
  map?.remove();
  map = undefined;
  delete document.body.dataset.mapReady;
  hide3d();
  $('job-title').textContent = jobId;
  const status = $('job-status');
  status.textContent = 'loading…';
  // The job first: its preset's stages are the cards the events fill in.
  const job = await api<JobDetail>(`/api/jobs/${jobId}`).catch(() => undefined);
  stages = job?.stages ?? [];
  showJobOptions(job?.request);
  const cards = stageCards(stages);
  const seen = new Set<string>();
  // Attempts per stage, so a retried stage still says so once it is done.
  const attempts = new Map<string, number>();
  const mark = (card: { note: HTMLElement; li: HTMLElement } | undefined, state: string, note: string) => {
    if (!card) return;
    card.note.textContent = note;
    card.li.dataset.state = state;
  };
  events = new EventSource(`/api/jobs/${jobId}/events`);
  const onEvent = (message: MessageEvent<string>) => {
    const event = JSON.parse(message.data) as PipelineEvent;
    const id = `${event.type}|${event.stage ?? ''}|${event.at}`;
    if (seen.has(id)) return;
    seen.add(id);
    const card = event.stage ? cards.get(event.stage) : undefined;
    // Events stamped in the same millisecond can arrive in either order: a start never undoes
    // the success of the same attempt.
    const startedAgain =
      card?.li.dataset.state === 'done' && (event.attempt ?? 1) <= (attempts.get(event.stage ?? '') ?? 1);
    if (card && event.type === 'stage.started' && !startedAgain) {
      const attempt = event.attempt ?? 1;
      attempts.set(event.stage!, attempt);
      card.li.dataset.attempts = String(attempt);
      mark(card, attempt > 1 ? 'retrying' : 'running', attempt > 1 ? `retrying (attempt ${attempt})` : 'running');
    }
    if (card && event.type === 'stage.progress') {
      card.progress.value = event.percent ?? 0;
      card.note.textContent = event.message ?? `${Math.round(event.percent ?? 0)} %`;
    }
    if (card && event.type === 'stage.succeeded') {
      card.progress.value = 100;
      const attempt = attempts.get(event.stage!) ?? 1;
      mark(card, 'done', attempt > 1 ? `done on attempt ${attempt}` : 'done');
    }
    if (card && event.type === 'stage.failed') mark(card, 'failed', `failed: ${event.error?.reason ?? ''}`);
    if (event.type === 'job.started' || event.type === 'job.resumed') {
      status.textContent = 'RUNNING';
      status.dataset.status = 'running';
    }
    if (event.type === 'job.succeeded') {
      status.textContent = 'SUCCEEDED';
      status.dataset.status = 'succeeded';
    }
    if (event.type === 'job.failed' || event.type === 'job.cancelled') {
      const where = event.stage ? ` in ${event.stage}` : '';
      status.textContent =
        event.type === 'job.failed'
          ? `FAILED${where}: ${event.error?.name}: ${event.error?.reason}`
          : `CANCELLED${where}`;
      status.dataset.status = event.type === 'job.failed' ? 'failed' : 'cancelled';
      if (event.type === 'job.failed') mark(card, 'failed', `failed: ${event.error?.reason ?? ''}`);
      else mark(card, 'stopped', 'stopped');
      // Notify ran the failure hand-off (its outcome is in the job's notification.json).
      mark(cards.get('Notify'), 'notified', 'failure notice sent');
      for (const other of cards.values()) if (other.note.textContent === 'waiting') mark(other, 'not-run', 'not run');
    }
    if (event.type === 'job.published' || event.type === 'job.succeeded') void showProducts(jobId);
    // The footprints as soon as they exist (the whole map of a survey or a 3D job).
    if (event.type === 'stage.succeeded' && event.stage === 'Footprints') void showProducts(jobId, false);
    if ((event.type === 'stage.succeeded' && event.stage === 'Ingest') || event.type.startsWith('job.'))
      void showQa(jobId);
    if (event.type.startsWith('job.')) void refreshJobs().then(() => showJobActions(jobId, api, notice));
    qualityReport.onEvent(jobId, event);
  };
  for (const type of [
    'job.started',
    'job.succeeded',
    'job.failed',
    'job.cancelled',
    'job.resumed',
    'job.published',
    'stage.started',
    'stage.progress',
    'stage.succeeded',
    'stage.failed',
  ])
    events.addEventListener(type, onEvent as EventListener);
  if (job && status.textContent === 'loading…') {
    const ended = job.status === 'failed' || job.status === 'cancelled';
    status.textContent = `${job.status.toUpperCase()}${ended && job.stage ? ` in ${job.stage}` : ''}`;
  }
  await Promise.all([
    showProducts(jobId, job?.status === 'succeeded'),
    showQa(jobId),
    showJobActions(jobId, api, notice),
  ]);
  await refreshJobs();
}

const qualityReport = qualityReportRefresher($('quality-report'), api);

async function showQa(jobId: string): Promise<void> {
  const { images } = await api<{ images: { name: string; accepted: boolean; reasons: { message: string }[] }[] }>(
    `/api/jobs/${jobId}/images`,
  );
  $('qa')
    .querySelector('tbody')!
    .replaceChildren(
      ...images.map((image) => {
        const tr = document.createElement('tr');
        if (!image.accepted) tr.className = 'rejected';
        for (const text of [
          image.name,
          image.accepted ? 'accepted' : 'rejected',
          image.reasons.map((r) => r.message).join('; '),
        ]) {
          const td = document.createElement('td');
          td.textContent = text;
          tr.append(td);
        }
        return tr;
      }),
    );
}

/**
 * The downloads and the map, of what the job's preset makes: published products only when it
 * publishes and has (`published`); a survey's or a 3D job's footprints alone. No 404s.
 */
async function showProducts(jobId: string, published = true): Promise<void> {
  const products =
    published && stages.includes('Publish')
      ? await api<Products>(`/api/jobs/${jobId}/products`).catch(() => undefined)
      : undefined;
  // Another job was opened while the answer was on its way.
  if (jobId !== current) return;
  $('downloads').replaceChildren(
    ...(products?.downloads ?? []).map((d) => {
      const li = document.createElement('li');
      const a = document.createElement('a');
      a.href = d.href;
      a.textContent = d.product;
      li.append(a);
      return li;
    }),
  );
  // The 3D view once the job has ended well (its scene 404s before): only presets with SfM make one.
  if (published && stages.includes('SfM')) show3d(jobId);
  // A preset that publishes shows its publication's map; one that does not, its footprints.
  if (!products && (stages.includes('Publish') || !stages.includes('Footprints'))) return;
  // A publication's footprints come as vector tiles; a job never published has none, only its stage's GeoJSON.
  const unpublished = products ? undefined : await api<FeatureCollection>(`/api/jobs/${jobId}/footprints`);
  const bbox = products?.bbox ?? (unpublished && boundsOf(unpublished));
  const settings = await mapSettings(api);
  if (bbox && jobId === current) drawMap(jobId, products ?? { bbox, downloads: [] }, settings, unpublished);
}

let viewer3d: { jobId: string; viewer: Promise<{ destroy(): void } | undefined> } | undefined;
/**
 * The 3D view, for a job with 3D products (its scene answers; map jobs get a 404): the viewer's
 * engine is a chunk of its own, fetched only then.
 */
function show3d(jobId: string): void {
  if (viewer3d?.jobId === jobId) return;
  hide3d();
  const viewer: Promise<{ destroy(): void } | undefined> = api<Scene3d>(`/api/jobs/${jobId}/scene`)
    .then(async (scene) =>
      // Another job was opened while the scene was on its way: its view is not this one's.
      jobId === current ? (await import('./viewer-3d')).mountViewer3d($('viewer-3d'), jobId, scene) : undefined,
    )
    .catch(() => {
      // Not (yet) a scene, or it could not be drawn: asked again once the job succeeds.
      if (viewer3d?.viewer === viewer) viewer3d = undefined;
      return undefined;
    });
  viewer3d = { jobId, viewer };
}

/** The 3D view of the job shown before, gone (its engine stopped). */
function hide3d(): void {
  void viewer3d?.viewer.then((v) => v?.destroy());
  viewer3d = undefined;
  $('viewer-3d').hidden = true;
}

/**
 * Offline unless a base layer is configured: no external style, tiles or fonts; the mosaic and
 * the footprints (vector tiles) are the map, with the measure tool over them.
 */
function drawMap(
  jobId: string,
  products: Products,
  settings: Awaited<ReturnType<typeof mapSettings>>,
  unpublished?: FeatureCollection,
): void {
  map?.remove();
  map = new maplibregl.Map({
    container: 'map',
    style: {
      version: 8,
      sources: {},
      layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#dfe6ea' } }],
    },
    bounds: products.bbox,
    fitBoundsOptions: { padding: 20 },
    attributionControl: false,
  });
  map.addControl(new maplibregl.NavigationControl(), 'top-right');
  map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }));
  map.on('load', () => {
    addBaseLayer(map!, settings.baseLayer);
    if (products.tilejson) {
      map!.addSource('mosaic', { type: 'raster', url: products.tilejson, tileSize: 256 });
      map!.addLayer({ id: 'mosaic', type: 'raster', source: 'mosaic' });
    }
    const measure = new MeasureControl();
    addFootprints(map!, jobId, api, () => measure.active, unpublished);
    map!.addControl(measure, 'top-left');
    document.body.dataset.mapReady = 'true';
  });
  map.on('idle', () => {
    document.body.dataset.mapIdle = String(Date.now());
  });
}

async function uploadAndProcess(files: File[]): Promise<void> {
  if (files.length === 0) return;
  const options = currentJobOptions();
  const page = { apiKey: () => keyInput.value.trim(), api, notice };
  const { datasetId, failed } = await uploadPhotoSet(files, page);
  // Nothing landed: say so, rather than start a job the Hub would refuse for an empty set.
  if (failed === files.length) return notice(`none of the ${files.length} files was uploaded: see each file's reason`);
  notice(`${files.length - failed} of ${files.length} files uploaded; starting the job…`);
  const { jobId } = await startDatasetJob(page, datasetId, options);
  location.hash = `#/jobs/${jobId}`;
}

const drop = $('drop');
const picker = $<HTMLInputElement>('files');
const onFiles = (files: FileList | null) =>
  void uploadAndProcess([...(files ?? [])]).catch((e: Error) => notice(e.message));
drop.addEventListener('click', () => picker.click());
drop.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' || e.key === ' ') {
    e.preventDefault();
    picker.click();
  }
});
picker.addEventListener('change', () => onFiles(picker.files));
drop.addEventListener('dragover', (e) => {
  e.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  onFiles(e.dataTransfer?.files ?? null);
});

$('sample').addEventListener('click', () => {
  notice('starting a job on the sample survey…');
  api<{ jobId: string }>('/api/samples', { method: 'POST', body: '{}' })
    .then(({ jobId }) => {
      notice(`job ${jobId} started`);
      location.hash = `#/jobs/${jobId}`;
    })
    .catch((e: Error) => notice(e.message));
});

function loadOptions(): void {
  void initJobOptions(api).catch((e: Error) => notice(`job options: ${e.message}`));
}
loadOptions();
initApiKeys(api);

function route(): void {
  const m = /^#\/jobs\/([a-z0-9-]+)$/.exec(location.hash);
  if (m) void showJob(m[1]!).catch((e: Error) => notice(e.message));
  else void refreshJobs().catch((e: Error) => notice(e.message));
}
window.addEventListener('hashchange', route);
setInterval(() => void refreshJobs().catch(() => undefined), 5000);
route();

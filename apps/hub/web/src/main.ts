import maplibregl, { type GeoJSONSource, type Map as MapLibreMap } from 'maplibre-gl';
import type { FeatureCollection } from 'geojson';
import 'maplibre-gl/dist/maplibre-gl.css';
import './style.css';
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
keyInput.addEventListener('change', () => localStorage.setItem('aerial-api-key', keyInput.value.trim()));

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
  $('job-title').textContent = jobId;
  const status = $('job-status');
  status.textContent = 'loading…';
  // The job first: its preset's stages are the cards the events fill in.
  const job = await api<JobDetail>(`/api/jobs/${jobId}`).catch(() => undefined);
  const cards = stageCards(job?.stages ?? []);
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
    if (card && event.type === 'stage.started') {
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
    if (event.type === 'job.started') status.textContent = 'RUNNING';
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
    if ((event.type === 'stage.succeeded' && event.stage === 'Ingest') || event.type.startsWith('job.'))
      void showQa(jobId);
    if (event.type.startsWith('job.')) void refreshJobs();
  };
  for (const type of [
    'job.started',
    'job.succeeded',
    'job.failed',
    'job.cancelled',
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
  await Promise.all([showProducts(jobId), showQa(jobId)]);
  await refreshJobs();
}

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

async function showProducts(jobId: string): Promise<void> {
  const products = await api<Products>(`/api/jobs/${jobId}/products`).catch(() => undefined);
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
  if (!products) return;
  const footprints = await api<FeatureCollection>(`/api/jobs/${jobId}/footprints`);
  drawMap(jobId, products, footprints);
}

/** An offline base: no external style, tiles or fonts; the mosaic and footprints are the map. */
function drawMap(jobId: string, products: Products, footprints: FeatureCollection): void {
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
    if (products.tilejson) {
      map!.addSource('mosaic', { type: 'raster', url: products.tilejson, tileSize: 256 });
      map!.addLayer({ id: 'mosaic', type: 'raster', source: 'mosaic' });
    }
    map!.addSource('footprints', { type: 'geojson', data: footprints });
    map!.addLayer({
      id: 'footprints',
      type: 'line',
      source: 'footprints',
      paint: { 'line-color': '#0b5cad', 'line-width': 1, 'line-opacity': 0.6 },
    });
    (map!.getSource('footprints') as GeoJSONSource).setData(footprints);
    document.body.dataset.mapReady = 'true';
  });
  map.on('idle', () => {
    document.body.dataset.mapIdle = String(Date.now());
  });
}

const flightHeight = $<HTMLInputElement>('flight-height');

/** The job options the form gives, checked before any upload starts; throws with what to fix. */
function jobOptions(): { flightHeightM?: number } {
  // A number input holds '' both when empty and when its text is not a number (badInput).
  if (flightHeight.value === '' && !flightHeight.validity.badInput) return {};
  const metres = flightHeight.valueAsNumber;
  if (!(metres > 0 && metres <= 10_000))
    throw new Error('the flight height must be a number of metres above 0 and at most 10000, or left empty');
  return { flightHeightM: metres };
}

async function uploadAndProcess(files: File[]): Promise<void> {
  if (files.length === 0) return;
  const options = jobOptions();
  const page = { apiKey: () => keyInput.value.trim(), api, notice };
  const { datasetId, failed } = await uploadPhotoSet(files, page);
  notice(`${files.length - failed} of ${files.length} files uploaded; starting the job…`);
  const { jobId } = await startDatasetJob(page, datasetId, { options });
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

function route(): void {
  const m = /^#\/jobs\/([a-z0-9-]+)$/.exec(location.hash);
  if (m) void showJob(m[1]!).catch((e: Error) => notice(e.message));
  else void refreshJobs().catch((e: Error) => notice(e.message));
}
window.addEventListener('hashchange', route);
setInterval(() => void refreshJobs().catch(() => undefined), 5000);
route();

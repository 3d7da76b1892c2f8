import type { JobRequestOptions } from '@aerial/contracts';
import { type DetailedError, Upload } from 'tus-js-client';

/** What the upload form needs from the page: its API client, its key, a line for the user. */
export interface UploadPage {
  apiKey(): string;
  api<T>(path: string, init?: RequestInit): Promise<T>;
  notice(text: string): void;
}

interface DatasetFiles {
  datasetId: string;
  files: { name: string; bytes: number }[];
}

/** tus PATCH size: a resumed photo re-sends at most this much, and proxies' body limits stay far off. */
const CHUNK_BYTES = 8 * 1024 * 1024;
/** Uploads at a time: enough to fill a link with small photos without one file starving the rest. */
const PARALLEL = 3;
/** Photo sets being uploaded, by what was chosen: choosing the same files again resumes the same dataset. */
const SETS_KEY = 'aerial-upload-sets';
const TYPE_OF_EXTENSION: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  zip: 'application/zip',
};

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** A short, stable name for a choice of files (names, sizes, dates): FNV-1a of their list. */
function setFingerprint(files: File[]): string {
  const text = files
    .map((f) => `${f.name}\u0000${f.size}\u0000${f.lastModified}`)
    .sort()
    .join('\u0001');
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return `${files.length}-${hash.toString(16)}`;
}

function sets(): Record<string, string> {
  try {
    return JSON.parse(localStorage.getItem(SETS_KEY) ?? '{}') as Record<string, string>;
  } catch {
    return {};
  }
}

/** The dataset an earlier, unfinished upload of these files went to, if the Hub still has it. */
async function datasetFor(files: File[], page: UploadPage): Promise<DatasetFiles> {
  const known = sets()[setFingerprint(files)];
  if (known) {
    const dataset = await page.api<DatasetFiles>(`/api/datasets/${known}`).catch(() => undefined);
    if (dataset) return dataset;
  }
  const { datasetId } = await page.api<{ datasetId: string }>('/api/datasets', {
    method: 'POST',
    body: JSON.stringify({ label: `${files.length} photos` }),
  });
  localStorage.setItem(SETS_KEY, JSON.stringify({ ...sets(), [setFingerprint(files)]: datasetId }));
  return { datasetId, files: [] };
}

/** The Hub's reason for refusing a file, from its error body, or the client's own message. */
function reasonOf(error: Error): string {
  const body = (error as DetailedError).originalResponse?.getBody();
  try {
    const parsed = JSON.parse(body ?? '') as { error?: { reason?: string } };
    if (parsed.error?.reason) return parsed.error.reason;
  } catch {
    // Not the Hub's error body (a dropped connection): the client's message says what happened.
  }
  return (error as DetailedError).originalResponse
    ? `HTTP ${(error as DetailedError).originalResponse!.getStatus()}`
    : error.message;
}

interface Row {
  readonly file: File;
  readonly li: HTMLLIElement;
  readonly bar: HTMLProgressElement;
  readonly note: HTMLElement;
  sent: number;
}

/** One file over tus: resumes where the Hub's copy ends when an earlier attempt left one. */
function uploadOne(row: Row, datasetId: string, page: UploadPage, progress: () => void): Promise<void> {
  const { file } = row;
  return new Promise((resolve, reject) => {
    const upload = new Upload(file, {
      endpoint: '/api/uploads',
      chunkSize: CHUNK_BYTES,
      retryDelays: [0, 1000, 3000, 5000],
      headers: { authorization: `Bearer ${page.apiKey()}` },
      metadata: {
        datasetId,
        filename: file.name,
        filetype: file.type || (TYPE_OF_EXTENSION[file.name.split('.').pop()?.toLowerCase() ?? ''] ?? ''),
      },
      // Per dataset: the same photo chosen for another set is another upload.
      fingerprint: async () => ['aerial', datasetId, file.name, file.size, file.lastModified].join('/'),
      removeFingerprintOnSuccess: true,
      onProgress: (sent) => {
        row.sent = sent;
        row.bar.value = file.size ? (sent / file.size) * 100 : 100;
        progress();
      },
      onSuccess: () => resolve(),
      onError: (e) => reject(new Error(reasonOf(e))),
    });
    void upload.findPreviousUploads().then((previous) => {
      if (previous[0]) {
        upload.resumeFromPreviousUpload(previous[0]);
        row.note.textContent = 'resuming';
      }
      upload.start();
    }, reject);
  });
}

/**
 * Uploads a photo set (JPEG, TIFF or zip files) into a dataset over tus, PARALLEL at a time, with
 * a bar per file and one for the whole set. Choosing the same files again after a dropped
 * connection or a reload goes on in the same dataset: files it holds whole are not sent again,
 * a file cut short goes on from the Hub's offset. Resolves with the dataset's id once every file
 * has been tried; refused files are marked with the Hub's reason.
 */
export async function uploadPhotoSet(files: File[], page: UploadPage): Promise<{ datasetId: string; failed: number }> {
  const dataset = await datasetFor(files, page);
  const arrived = new Map(dataset.files.map((f) => [f.name, f.bytes]));
  const rows: Row[] = files.map((file) => {
    const li = document.createElement('li');
    const bar = document.createElement('progress');
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute('aria-label', `upload of ${file.name}`);
    const note = document.createElement('small');
    li.append(file.name, ' ', note, bar);
    li.dataset.state = 'waiting';
    return { file, li, bar, note, sent: 0 };
  });
  $('uploads').replaceChildren(...rows.map((r) => r.li));
  const total = $('upload-total');
  const totalBar = total.querySelector('progress')!;
  const totalNote = total.querySelector('small')!;
  total.hidden = false;
  const totalBytes = files.reduce((s, f) => s + f.size, 0);
  let done = 0;
  const progress = () => {
    const sent = rows.reduce((s, r) => s + r.sent, 0);
    totalBar.value = totalBytes ? (sent / totalBytes) * 100 : 100;
    totalNote.textContent = `${done} of ${rows.length} files, ${(sent / 1048576).toFixed(1)} of ${(totalBytes / 1048576).toFixed(1)} MiB`;
  };
  const queue: Row[] = [];
  for (const row of rows) {
    if (arrived.get(row.file.name) === row.file.size) {
      row.sent = row.file.size;
      row.bar.value = 100;
      row.li.dataset.state = 'done';
      row.note.textContent = 'already uploaded';
      done++;
    } else queue.push(row);
  }
  progress();
  let failed = 0;
  const worker = async () => {
    for (let row = queue.shift(); row; row = queue.shift()) {
      row.li.dataset.state = 'uploading';
      try {
        await uploadOne(row, dataset.datasetId, page, progress);
        row.li.dataset.state = 'done';
        row.note.textContent = '';
        done++;
      } catch (e) {
        failed++;
        row.li.dataset.state = 'failed';
        row.li.className = 'rejected';
        row.note.textContent = `— ${(e as Error).message}`;
      }
      progress();
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  return { datasetId: dataset.datasetId, failed };
}

/** The body of POST /api/datasets/:id/jobs: the form's job options go here. */
export type DatasetJobRequest = JobRequestOptions;

/**
 * Starts the job on an uploaded dataset (the one way the page does it), then forgets the set, so
 * that choosing the same files later makes a new dataset.
 */
export async function startDatasetJob(
  page: UploadPage,
  datasetId: string,
  request: DatasetJobRequest = {},
): Promise<{ jobId: string }> {
  const started = await page.api<{ jobId: string }>(`/api/datasets/${datasetId}/jobs`, {
    method: 'POST',
    body: JSON.stringify(request),
  });
  localStorage.setItem(
    SETS_KEY,
    JSON.stringify(Object.fromEntries(Object.entries(sets()).filter(([, id]) => id !== datasetId))),
  );
  return started;
}

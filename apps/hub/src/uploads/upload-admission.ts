import { AerialError } from '@aerial/contracts';
import { type DatasetLimits, type ObjectStore, openZipDataset } from '@aerial/runtime';
import { createReadStream } from 'node:fs';
import type { DatasetRow, DatasetsRepository } from '../db/datasets-repository';
import { fileRefusal, isArchiveType, tooLarge } from './accepted-files';

/** What a resumable upload says about itself in its `Upload-Metadata` (tus-js-client's names). */
export interface UploadMetadata {
  readonly datasetId?: string | null;
  readonly filename?: string | null;
  readonly filetype?: string | null;
}

export interface UploadAdmissionOptions {
  readonly datasets: DatasetsRepository;
  readonly uploads: ObjectStore;
  /** Largest photo, bytes. */
  readonly maxFileBytes: number;
  /** Largest zip archive, bytes. */
  readonly maxArchiveBytes: number;
  /** The bounds the pipeline opens datasets with: an archive is checked against them on arrival. */
  readonly limits: DatasetLimits;
}

/** A refusal as @tus/server sends it: the status and the Hub's error body. */
export interface TusRefusal {
  readonly status_code: number;
  readonly body: string;
}

export function tusRefusal(e: AerialError & { statusCode?: number }, status = e.statusCode ?? 400): TusRefusal {
  return { status_code: status, body: JSON.stringify({ error: e.toJSON() }) };
}

/** An upload's file, once admitted: where it goes and as what. */
export interface AdmittedFile {
  readonly dataset: DatasetRow;
  readonly name: string;
  readonly type: string;
}

/**
 * Decides at creation whether an upload may start, with the multipart route's rules: a known
 * dataset, a safe name, a photo or zip type, a declared size within its type's limit. Throws a
 * `TusRefusal`. Checking here, before any byte is sent, spares a client a doomed 200 MiB upload.
 */
export async function admitUpload(
  metadata: UploadMetadata | undefined,
  size: number | undefined,
  options: UploadAdmissionOptions,
): Promise<AdmittedFile> {
  const datasetId = metadata?.datasetId ?? '';
  if (!/^ds-[a-z0-9-]{3,60}$/.test(datasetId))
    throw tusRefusal(
      new AerialError(
        'Aerial.InvalidInput',
        `Upload-Metadata datasetId ${JSON.stringify(datasetId)} is not a dataset id`,
        'create a dataset with POST /api/datasets and name it in the upload metadata',
      ),
    );
  const dataset = await options.datasets.dataset(datasetId);
  if (!dataset)
    throw tusRefusal(
      new AerialError(
        'Aerial.InvalidInput',
        `no dataset ${datasetId}`,
        'create a dataset with POST /api/datasets first',
      ),
      404,
    );
  // The name as sent, never its last segment: a name with a folder in it is refused, not trimmed.
  const name = metadata?.filename ?? '';
  const type = metadata?.filetype ?? '';
  const refusal = fileRefusal(name, type);
  if (refusal) throw tusRefusal(refusal);
  if (size === undefined)
    throw tusRefusal(
      new AerialError(
        'Aerial.InvalidInput',
        `${name} has no Upload-Length`,
        'declare the size when creating the upload',
      ),
    );
  const limit = isArchiveType(type) ? options.maxArchiveBytes : options.maxFileBytes;
  if (size > limit) throw tusRefusal(tooLarge(name, limit));
  return { dataset, name, type };
}

/**
 * Moves a finished upload from its staging file into the dataset's prefix of the uploads store.
 * A zip is opened first as the pipeline opens it (the dataset sources of @aerial/runtime): a
 * central directory with `..` or absolute paths, links, too many entries or a zip-bomb ratio is
 * refused now, with the reason the job would have failed with later.
 */
export async function landUpload(
  file: AdmittedFile,
  stagedPath: string,
  options: UploadAdmissionOptions,
): Promise<void> {
  if (isArchiveType(file.type)) {
    try {
      const archive = await openZipDataset(stagedPath, options.limits, {
        label: file.name,
        namePrefix: `${file.name}/`,
        displayPrefix: `${file.name}/`,
      });
      await archive.close();
    } catch (e) {
      const error = AerialError.from(e);
      throw tusRefusal(error, error.name === 'Aerial.InvalidInput' ? 400 : 500);
    }
  }
  await options.uploads.put(`${file.dataset.prefix}${file.name}`, createReadStream(stagedPath), {
    contentType: file.type,
    metadata: { dataset: file.dataset.datasetId },
  });
}

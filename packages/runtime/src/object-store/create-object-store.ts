import type * as S3 from '@aws-sdk/client-s3';
import { type RuntimeConfig } from '@aerial/contracts';
import { isAbsolute, join, resolve } from 'node:path';
import { LocalFolderStore } from './local-folder-store';
import { type ObjectStore } from './object-store';
import { S3ObjectStore } from './s3-store';

/** The store `OBJECT_STORE` names: `s3://bucket[/prefix]`, `file:<folder>`, or `<data dir>/objects`. */
export function createObjectStore(
  config: Pick<RuntimeConfig, 'OBJECT_STORE' | 'AERIAL_DATA_DIR'>,
  spec = config.OBJECT_STORE,
): ObjectStore {
  if (spec?.startsWith('s3://')) {
    const [bucket, ...prefix] = spec.slice('s3://'.length).split('/');
    // Required only for an S3 store: every stage process creates a store, most of them local.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { S3Client } = require('@aws-sdk/client-s3') as typeof S3;
    return new S3ObjectStore(new S3Client({}), bucket as string, prefix.join('/'));
  }
  const folder = spec?.startsWith('file:') ? spec.slice('file:'.length) : join(config.AERIAL_DATA_DIR, 'objects');
  return new LocalFolderStore(isAbsolute(folder) ? folder : resolve(folder));
}

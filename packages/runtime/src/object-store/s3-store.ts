import type * as S3 from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { assertSafeKey, type ObjectInfo, type ObjectStore, type PutOptions } from './object-store';

/**
 * The SDK, required on first use: every stage process loads this package, and loading the S3
 * client (~60 ms) is wasted on the local store.
 */
function sdk(): typeof S3 {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@aws-sdk/client-s3') as typeof S3;
}

/** Objects in an S3 bucket, optionally under a prefix. */
export class S3ObjectStore implements ObjectStore {
  readonly location: string;
  private readonly prefix: string;

  constructor(
    private readonly client: S3.S3Client,
    private readonly bucket: string,
    prefix = '',
  ) {
    this.prefix = prefix.replace(/^\/+|\/+$/g, '');
    this.location = `s3://${bucket}${this.prefix ? `/${this.prefix}` : ''}`;
  }

  private s3Key(key: string): string {
    assertSafeKey(key);
    return this.prefix ? `${this.prefix}/${key}` : key;
  }

  async put(key: string, body: Buffer | string | Readable, options: PutOptions = {}): Promise<ObjectInfo> {
    // A stream of unknown length cannot be sent by PutObject; buffer it (stage outputs are
    // bounded; large uploads go through the Hub's multipart path).
    const payload = body instanceof Readable ? Buffer.concat(await body.toArray()) : body;
    await this.client.send(
      new (sdk().PutObjectCommand)({
        Bucket: this.bucket,
        Key: this.s3Key(key),
        Body: payload,
        ContentType: options.contentType,
        Metadata: options.metadata,
      }),
    );
    return (await this.head(key)) as ObjectInfo;
  }

  copy(from: string, to: string, options: PutOptions = {}): Promise<ObjectInfo> {
    return this.copyObject(this, from, to, options);
  }

  /** From another bucket (the work bucket to the published one), still without moving bytes here. */
  async copyFrom(
    source: ObjectStore,
    from: string,
    to: string,
    options: PutOptions = {},
  ): Promise<ObjectInfo | undefined> {
    return source instanceof S3ObjectStore ? this.copyObject(source, from, to, options) : undefined;
  }

  private async copyObject(source: S3ObjectStore, from: string, to: string, options: PutOptions): Promise<ObjectInfo> {
    const info = await source.head(from);
    if (!info) throw new Error(`no object ${from} in ${source.location}`);
    await this.client.send(
      new (sdk().CopyObjectCommand)({
        Bucket: this.bucket,
        Key: this.s3Key(to),
        CopySource: `${source.bucket}/${source.s3Key(from).split('/').map(encodeURIComponent).join('/')}`,
        MetadataDirective: 'REPLACE',
        ContentType: options.contentType ?? info.contentType,
        Metadata: options.metadata,
      }),
    );
    return (await this.head(to)) as ObjectInfo;
  }

  async get(key: string): Promise<Buffer> {
    const stream = await this.getStream(key);
    return Buffer.concat(await stream.toArray());
  }

  async getStream(key: string): Promise<Readable> {
    try {
      const out = await this.client.send(new (sdk().GetObjectCommand)({ Bucket: this.bucket, Key: this.s3Key(key) }));
      if (!(out.Body instanceof Readable)) throw new Error(`s3 returned no body for ${key}`);
      return out.Body;
    } catch (e) {
      if (e instanceof sdk().NoSuchKey) throw new Error(`no object ${key} in ${this.location}`);
      throw e;
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    try {
      const out = await this.client.send(new (sdk().HeadObjectCommand)({ Bucket: this.bucket, Key: this.s3Key(key) }));
      return {
        key,
        bytes: out.ContentLength ?? 0,
        etag: (out.ETag ?? '').replace(/"/g, ''),
        contentType: out.ContentType,
        lastModified: out.LastModified ?? new Date(0),
      };
    } catch (e) {
      if (e instanceof sdk().NotFound || (e as { name?: string }).name === 'NotFound') return undefined;
      throw e;
    }
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    let token: string | undefined;
    const strip = this.prefix ? this.prefix.length + 1 : 0;
    do {
      const out = await this.client.send(
        new (sdk().ListObjectsV2Command)({
          Bucket: this.bucket,
          Prefix: this.prefix ? `${this.prefix}/${prefix}` : prefix,
          ContinuationToken: token,
        }),
      );
      for (const o of out.Contents ?? []) {
        if (!o.Key) continue;
        yield {
          key: o.Key.slice(strip),
          bytes: o.Size ?? 0,
          etag: (o.ETag ?? '').replace(/"/g, ''),
          lastModified: o.LastModified ?? new Date(0),
        };
      }
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new (sdk().DeleteObjectCommand)({ Bucket: this.bucket, Key: this.s3Key(key) }));
  }
}

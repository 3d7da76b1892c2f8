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

/** Size of a multipart upload's parts: S3 takes 5 MiB at least (but the last), 10,000 parts at most. */
const S3_PART_BYTES = 8 * 1024 * 1024;

/** A stream's bytes in buffers of `size` (the last one shorter; one empty buffer for an empty stream). */
async function* partsOf(stream: Readable, size: number): AsyncGenerator<Buffer> {
  let held: Buffer[] = [];
  let bytes = 0;
  let yielded = false;
  for await (const chunk of stream) {
    let rest = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    while (bytes + rest.length >= size) {
      const take = size - bytes;
      yield Buffer.concat([...held, rest.subarray(0, take)]);
      yielded = true;
      held = [];
      bytes = 0;
      rest = rest.subarray(take);
    }
    if (rest.length > 0) {
      held.push(rest);
      bytes += rest.length;
    }
  }
  if (bytes > 0 || !yielded) yield Buffer.concat(held);
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
    if (body instanceof Readable) return this.putStream(key, body, options);
    await this.client.send(
      new (sdk().PutObjectCommand)({
        Bucket: this.bucket,
        Key: this.s3Key(key),
        Body: body,
        ContentType: options.contentType,
        Metadata: options.metadata,
      }),
    );
    return (await this.head(key)) as ObjectInfo;
  }

  /**
   * A stream of unknown length: PutObject when it fits in one part, otherwise a multipart upload
   * holding one part in memory at a time (a Hub upload of a 2 GiB zip lands this way; buffering
   * it whole would hold it all in the Hub's memory). A failed upload is aborted, leaving no parts.
   */
  private async putStream(key: string, body: Readable, options: PutOptions): Promise<ObjectInfo> {
    const parts = partsOf(body, S3_PART_BYTES)[Symbol.asyncIterator]();
    const first = await parts.next();
    const second = first.done ? first : await parts.next();
    if (second.done) return this.put(key, first.done ? Buffer.alloc(0) : first.value, options);
    const s3 = sdk();
    const target = { Bucket: this.bucket, Key: this.s3Key(key) };
    const { UploadId } = await this.client.send(
      new s3.CreateMultipartUploadCommand({ ...target, ContentType: options.contentType, Metadata: options.metadata }),
    );
    const done: { ETag: string | undefined; PartNumber: number }[] = [];
    const send = async (bytes: Buffer) => {
      const PartNumber = done.length + 1;
      const { ETag } = await this.client.send(
        new s3.UploadPartCommand({ ...target, UploadId, PartNumber, Body: bytes }),
      );
      done.push({ ETag, PartNumber });
    };
    try {
      await send(first.value as Buffer);
      await send(second.value);
      for (let next = await parts.next(); !next.done; next = await parts.next()) await send(next.value);
      await this.client.send(
        new s3.CompleteMultipartUploadCommand({ ...target, UploadId, MultipartUpload: { Parts: done } }),
      );
    } catch (e) {
      await this.client.send(new s3.AbortMultipartUploadCommand({ ...target, UploadId })).catch(() => undefined);
      throw e;
    }
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

import { LRUCache } from 'lru-cache';
import {
  type CatalogImageRow,
  FootprintRecordSchema,
  FootprintsSummarySchema,
  ImageRecordSchema,
  type Publication,
  PublicationSchema,
  publishedPointer,
  stageOutputKey,
} from '@aerial/contracts';
import { getJson, type ObjectStore, optionalStageOutputs } from '@aerial/runtime';
import { z } from 'zod';
import type { TileDatabase } from '../db/tile-database';
import type { FootprintCollection } from '../db/images-repository';

/**
 * Reads published jobs from the object store (the pointer Publish writes last) and records them
 * in the tile database: images with their footprints and QA verdicts, the reconstruction and its
 * products. Pointers are cached briefly: every map tile request asks for one.
 */
export class Publications {
  // lru-cache stores no `undefined`: the wrapper caches "not published" too.
  private readonly cache: LRUCache<string, { value: Publication | undefined }> | undefined;

  /**
   * @param store the work store: stage outputs (image records, footprints)
   * @param published where Publish wrote the products and the pointer (PUBLISHED_STORE)
   */
  constructor(
    private readonly store: ObjectStore,
    private readonly published: ObjectStore = store,
    ttlMs = 5_000,
  ) {
    // A ttl of 0 means "never expires" to lru-cache; here it means "do not cache".
    this.cache = ttlMs > 0 ? new LRUCache({ max: 1000, ttl: ttlMs }) : undefined;
  }

  /** The job's current publication, or undefined when it has none. */
  async current(jobId: string): Promise<Publication | undefined> {
    const hit = this.cache?.get(jobId);
    if (hit) return hit.value;
    const key = publishedPointer(jobId);
    const value = (await this.published.head(key))
      ? PublicationSchema.parse(await getJson(this.published, key))
      : undefined;
    this.cache?.set(jobId, { value });
    return value;
  }

  forget(jobId: string): void {
    this.cache?.delete(jobId);
  }

  /**
   * The image records Ingest wrote (verdicts and reasons), or [] before Ingest ran, with the
   * photos the Footprints stage left out (banked frames, photos nothing placed) turned into
   * rejections with its reason: the QA table shows every photo missing from the products.
   */
  async imageRecords(jobId: string) {
    // By key, not through Ingest's manifest: a dataset Ingest rejected has records and no manifest.
    const key = stageOutputKey(jobId, 'Ingest', 'image-records');
    if (!(await this.store.head(key))) return [];
    const records = z.array(ImageRecordSchema).parse(await getJson(this.store, key));
    const skipped = new Map((await this.footprintSkips(jobId)).map((s) => [s.image, s]));
    return records.map((r) => {
      const skip = skipped.get(r.name);
      return skip && r.qa.accepted
        ? { ...r, qa: { ...r.qa, accepted: false, reasons: [{ code: skip.code, message: skip.reason }] } }
        : r;
    });
  }

  /**
   * The footprints the Footprints stage wrote, before (or without) a publication: a survey or a
   * 3D job publishes nothing, yet its footprints are what it made. Empty when there are none yet.
   */
  async stageFootprints(jobId: string): Promise<FootprintCollection> {
    const key = stageOutputKey(jobId, 'Footprints', 'footprints');
    if (!(await this.store.head(key))) return { type: 'FeatureCollection', features: [] };
    const footprints = z.array(FootprintRecordSchema).parse(await getJson(this.store, key));
    const accepted = new Map((await this.imageRecords(jobId)).map((r) => [r.name, r.qa.accepted]));
    return {
      type: 'FeatureCollection',
      features: footprints.map((f) => ({
        type: 'Feature',
        geometry: f.footprint,
        properties: { image: f.image, accepted: accepted.get(f.image) ?? true, gsdCm: f.gsdCm },
      })),
    };
  }

  private async footprintSkips(jobId: string) {
    const footprints = await optionalStageOutputs(this.store, jobId, 'Footprints');
    // Only what the QA table shows, so that a summary of an older shape still gives it.
    const summary = FootprintsSummarySchema.pick({ skipped: true }).safeParse(footprints?.manifest.summary);
    return summary.success ? summary.data.skipped : [];
  }

  /** Records a publication in the tile database; idempotent (upserts). */
  async record(tiles: TileDatabase, publication: Publication): Promise<void> {
    this.forget(publication.jobId);
    const records = await this.imageRecords(publication.jobId);
    const footprintsKey = stageOutputKey(publication.jobId, 'Footprints', 'footprints');
    const footprints = (await this.store.head(footprintsKey))
      ? z.array(FootprintRecordSchema).parse(await getJson(this.store, footprintsKey))
      : [];
    const byImage = new Map(footprints.map((f) => [f.image, f]));
    const rows: CatalogImageRow[] = records.map((r) => {
      const f = byImage.get(r.name);
      return {
        jobId: publication.jobId,
        image: r.name,
        sha256: r.sha256,
        accepted: r.qa.accepted,
        reasons: r.qa.reasons,
        ...(r.gps ? { longitude: r.gps.longitude, latitude: r.gps.latitude } : {}),
        ...(f ? { footprint: f.footprint, gsdCm: f.gsdCm } : {}),
      };
    });
    await tiles.recordImages(rows);
    await tiles.recordReconstruction(
      publication.jobId,
      { ...publication.products, prefix: publication.prefix },
      publication.gsdCm,
    );
    await tiles.publish(publication.jobId, new Date(publication.publishedAt));
  }
}

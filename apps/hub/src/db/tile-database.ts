import type { CatalogImageRow } from '@aerial/contracts';
import type { Pool } from 'pg';
import { DatasetsRepository } from './datasets-repository';
import { EventsRepository } from './events-repository';
import { ImagesRepository } from './images-repository';
import { JobsRepository } from './jobs-repository';
import { ReconstructionsRepository } from './reconstructions-repository';

export * from './datasets-repository';
export * from './events-repository';
export * from './images-repository';
export * from './jobs-repository';
export * from './reconstructions-repository';

/**
 * The tile database through `pg`, one repository per thing it holds, over one pool: the same SQL
 * runs on PostgreSQL + PostGIS and on the embedded PGlite. Composed here because the server and
 * the app hand all of them out from one pool.
 */
export class TileDatabase {
  readonly jobs: JobsRepository;
  readonly datasets: DatasetsRepository;
  readonly events: EventsRepository;
  readonly images: ImagesRepository;
  readonly reconstructions: ReconstructionsRepository;

  constructor(pool: Pool) {
    this.jobs = new JobsRepository(pool);
    this.datasets = new DatasetsRepository(pool);
    this.events = new EventsRepository(pool);
    this.images = new ImagesRepository(pool);
    this.reconstructions = new ReconstructionsRepository(pool);
  }

  // What `Publications.record` writes a publication through (images, then the reconstruction).
  recordImages(rows: readonly CatalogImageRow[]): Promise<void> {
    return this.images.recordImages(rows);
  }

  recordReconstruction(jobId: string, products: Record<string, string>, gsdCm?: number): Promise<void> {
    return this.reconstructions.recordReconstruction(jobId, products, gsdCm);
  }

  publish(jobId: string, at?: Date): Promise<void> {
    return this.reconstructions.publish(jobId, at);
  }
}

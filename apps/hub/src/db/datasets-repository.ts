import type { Pool } from 'pg';

/** An upload set as the `datasets` table holds it. */
export interface DatasetRow {
  readonly datasetId: string;
  readonly label: string | null;
  /** Where its files are in the uploads store. */
  readonly prefix: string;
  readonly files: number;
  readonly bytes: number;
}

/** The `datasets` table: upload sets and the totals last seen in the store. */
export class DatasetsRepository {
  constructor(private readonly pool: Pool) {}

  async createDataset(datasetId: string, prefix: string, label?: string): Promise<void> {
    await this.pool.query('INSERT INTO datasets (dataset_id, label, prefix, files, bytes) VALUES ($1, $2, $3, 0, 0)', [
      datasetId,
      label ?? null,
      prefix,
    ]);
  }

  async dataset(datasetId: string): Promise<DatasetRow | undefined> {
    const result = await this.pool.query(
      'SELECT dataset_id, label, prefix, files, bytes FROM datasets WHERE dataset_id = $1',
      [datasetId],
    );
    const r = result.rows[0] as
      { dataset_id: string; label: string | null; prefix: string; files: number; bytes: string } | undefined;
    return r && { datasetId: r.dataset_id, label: r.label, prefix: r.prefix, files: r.files, bytes: Number(r.bytes) };
  }

  async updateDatasetTotals(datasetId: string, files: number, bytes: number): Promise<void> {
    await this.pool.query('UPDATE datasets SET files = $2, bytes = $3 WHERE dataset_id = $1', [
      datasetId,
      files,
      bytes,
    ]);
  }
}

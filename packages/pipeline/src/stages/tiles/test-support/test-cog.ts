import { type ProjectedRaster } from '../../../geo/projected-raster';
import { CogWriter } from '../../orthomosaic/cog-writer';

/** RGBA of raster pixel (x, y). */
export type Paint = (x: number, y: number) => readonly [number, number, number, number];

/**
 * Writes `raster` as a COG the way the Orthomosaic stage does (its own writer, so the overviews
 * are the ones Tiles meets), each pixel painted by `paint`; returns the number of overviews.
 */
export async function writeTestCog(
  path: string,
  raster: ProjectedRaster,
  paint: Paint,
  tileSize = 256,
): Promise<number> {
  const { widthPx: W, heightPx: H } = raster;
  const writer = new CogWriter(
    W,
    H,
    tileSize,
    { epsg: raster.epsg, originX: raster.origin[0], originY: raster.origin[1], pixelSize: raster.pixelSizeM },
    `${path}.level0`,
  );
  for (let row = 0; row < writer.rows; row++) {
    for (let column = 0; column < writer.columns; column++) {
      const tile = new Uint8Array(tileSize * tileSize * 4);
      for (let y = 0; y < tileSize && row * tileSize + y < H; y++)
        for (let x = 0; x < tileSize && column * tileSize + x < W; x++)
          tile.set(paint(column * tileSize + x, row * tileSize + y), (y * tileSize + x) * 4);
      await writer.addTile(column, row, tile);
    }
  }
  return (await writer.finish(path)).overviews;
}

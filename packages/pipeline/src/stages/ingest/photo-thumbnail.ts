import { type PhotoThumbnail } from '@aerial/contracts';
import sharp from 'sharp';

/** The longer side of a rejected photo's preview in the quality report. */
export const THUMBNAIL_PX = 240;

/**
 * A small JPEG preview of a photo as a data URL, or undefined when it does not decode (or has
 * more pixels than `maxPixels`: a decompression bomb gets no preview). Turned upright by its
 * EXIF orientation, as a viewer would show it.
 */
export async function photoThumbnail(
  bytes: Buffer,
  maxPixels: number,
): Promise<Omit<PhotoThumbnail, 'image'> | undefined> {
  try {
    const { data, info } = await sharp(bytes, { failOn: 'none', limitInputPixels: maxPixels })
      .rotate()
      .resize(THUMBNAIL_PX, THUMBNAIL_PX, { fit: 'inside', withoutEnlargement: true })
      .jpeg({ quality: 70 })
      .toBuffer({ resolveWithObject: true });
    return { dataUrl: `data:image/jpeg;base64,${data.toString('base64')}`, width: info.width, height: info.height };
  } catch {
    return undefined;
  }
}

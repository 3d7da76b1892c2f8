import {
  AerialError,
  FootprintRecordSchema,
  type ImageRecord,
  ImageRecordSchema,
  type ImageRegistration,
  ImageRegistrationSchema,
} from '@aerial/contracts';
import { z } from 'zod';
import { type LocalFrame } from '../../geo/local-frame';
import { type ObjectStore, stageOutputs } from '@aerial/runtime';
import { round } from '../../numbers/round';
import { adjustToSfm, readSfmCameras, SFM_MAX_DISAGREEMENT_M } from './sfm-cameras';
import { type Similarity } from './similarity';

/** A registered photo with its Ingest record and stored original. */
export interface MosaicImage {
  readonly placed: ImageRegistration['images'][number];
  readonly record: ImageRecord;
  readonly key: string;
  readonly width: number;
  readonly height: number;
}

/** What the Orthomosaic reads: Ingest's records, the Footprints rows and registration. */
export interface MosaicInputs {
  readonly registration: ImageRegistration;
  readonly images: MosaicImage[];
  readonly rowByName: Map<string, z.infer<typeof FootprintRecordSchema>>;
}

/** Reads the registered photos; every one must have an original Ingest stored. */
export async function readMosaicInputs(store: ObjectStore, jobId: string): Promise<MosaicInputs> {
  const ingest = await stageOutputs(store, jobId, 'Ingest');
  const footprints = await stageOutputs(store, jobId, 'Footprints');
  const records = await ingest.json('image-records', z.array(ImageRecordSchema));
  const rows = await footprints.json('footprints', z.array(FootprintRecordSchema));
  const registration = await footprints.json('registration', ImageRegistrationSchema);
  const byName = new Map(records.map((r) => [r.name, r]));
  const images = registration.images.flatMap((placed) => {
    const record = byName.get(placed.image);
    return record?.key ? [{ placed, record, key: record.key, width: placed.width, height: placed.height }] : [];
  });
  if (images.length === 0 || images.length !== registration.images.length)
    throw new AerialError(
      'Aerial.QualityRejected',
      images.length === 0
        ? 'no image has a footprint to place in a mosaic'
        : 'the registration names photos that Ingest did not store',
      'check the Footprints report',
    );
  return { registration, images, rowByName: new Map(rows.map((r) => [r.image, r])) };
}

/** Where each photo goes: its registered placement, or the SfM camera's when SfM ran and agrees. */
export interface FramePlacements {
  readonly placements: Similarity[];
  readonly source: ('registration' | 'sfm')[];
  /** Why the SfM cameras were not used, when SfM ran. */
  readonly sfmIgnored?: string;
}

/** The placements in the job frame, re-adjusted to the SfM cameras when that stage ran. */
export async function framePlacements(
  store: ObjectStore,
  jobId: string,
  inputs: MosaicInputs,
  frame: LocalFrame,
  progress: (percent: number, message: string) => void,
): Promise<FramePlacements> {
  const { images, registration, rowByName } = inputs;
  const registered: FramePlacements = {
    placements: images.map((i) => i.placed.placement),
    source: images.map(() => 'registration'),
  };
  const sfm = await readSfmCameras(store, jobId);
  if (!sfm) return registered;
  progress(2, 'adjusting the placements to the SfM cameras');
  const fromSfm = images.map((i) => sfm.cameraOf(i.placed.image, rowByName.get(i.placed.image)));
  const adjusted = adjustToSfm(registration, fromSfm, frame);
  // A model bent by drift (nadir-only flights, an unknown lens) can be aligned to GPS at one
  // end and tens of metres off at the other (Caliterra: 17 m median): the registration, held
  // to GPS everywhere, is then the better placement.
  const disagreementM = adjusted.disagreementM;
  if (disagreementM !== undefined && disagreementM > SFM_MAX_DISAGREEMENT_M) {
    return {
      ...registered,
      sfmIgnored: `the SfM cameras lie ${round(disagreementM, 1)} m (median) from the registered photos; placements stay with the registration`,
    };
  }
  return { placements: adjusted.placements, source: adjusted.fromSfm.map((s) => (s ? 'sfm' : 'registration')) };
}

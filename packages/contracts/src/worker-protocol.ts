import { z } from 'zod';
import { AerialErrorPayloadSchema } from './errors';

/**
 * A stage container talks to the engine that started it through lines on its stdout that start
 * with this prefix and carry one JSON message; every other line is ordinary log output.
 */
export const WORKER_LINE_PREFIX = '::aerial::';

export const WorkerMessageSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('progress'),
    percent: z.number().min(0).max(100),
    message: z.string().max(500).optional(),
  }),
  z.object({ type: z.literal('error'), error: AerialErrorPayloadSchema }),
]);
export type WorkerMessage = z.infer<typeof WorkerMessageSchema>;

export function formatWorkerLine(message: WorkerMessage): string {
  return `${WORKER_LINE_PREFIX}${JSON.stringify(message)}`;
}

/** The message on a line, or undefined for log lines and malformed messages. */
export function parseWorkerLine(line: string): WorkerMessage | undefined {
  if (!line.startsWith(WORKER_LINE_PREFIX)) return undefined;
  try {
    const parsed = WorkerMessageSchema.safeParse(JSON.parse(line.slice(WORKER_LINE_PREFIX.length)));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Exit code of a container that failed transiently: AWS Batch and the local engine retry it. */
export const TRANSIENT_EXIT_CODE = 75;

import { z } from 'zod';

/**
 * Requests of the Step Functions API subset the embedded engine serves (AWS JSON 1.0 protocol),
 * so the Hub and CLI use `@aws-sdk/client-sfn` against it exactly as against AWS.
 */
const arn = z.string().min(1).max(2048);
export const SfnRequestSchemas = {
  StartExecution: z.object({
    stateMachineArn: arn,
    name: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,80}$/, 'must be 1–80 letters, digits, dashes or underscores')
      .optional(),
    input: z
      .string()
      .max(256 * 1024)
      .optional(),
    traceHeader: z.string().optional(),
  }),
  DescribeExecution: z.object({ executionArn: arn, includedData: z.string().optional() }),
  StopExecution: z.object({
    executionArn: arn,
    error: z.string().max(256).optional(),
    cause: z.string().max(32768).optional(),
  }),
  /** Runs a FAILED, TIMED_OUT or ABORTED execution again from where it stopped. */
  RedriveExecution: z.object({ executionArn: arn, clientToken: z.string().max(256).optional() }),
  ListExecutions: z.object({
    stateMachineArn: arn.optional(),
    statusFilter: z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE']).optional(),
    maxResults: z.number().int().min(0).max(1000).optional(),
    nextToken: z.string().max(1024).optional(),
  }),
  GetExecutionHistory: z.object({
    executionArn: arn,
    maxResults: z.number().int().min(0).max(1000).optional(),
    reverseOrder: z.boolean().optional(),
    nextToken: z.string().max(1024).optional(),
    includeExecutionData: z.boolean().optional(),
  }),
} as const;
export type SfnOperation = keyof typeof SfnRequestSchemas;

/**
 * The job's workflow name everywhere it is deployed: the Step Functions state machine, the Argo
 * WorkflowTemplate, and the state machine the embedded engine serves.
 */
export const PIPELINE_NAME = 'aerial-job';

/** The embedded engine answers as this region and account (never a real one). */
export const LOCAL_ENGINE = { region: 'local', account: '000000000000' } as const;

/** The state machine the embedded engine serves; the Hub and CLI start jobs on it. */
export const LOCAL_STATE_MACHINE_ARN = `arn:aws:states:${LOCAL_ENGINE.region}:${LOCAL_ENGINE.account}:stateMachine:${PIPELINE_NAME}`;

import { type Preset, type StageName, TRANSIENT_EXIT_CODE } from '@aerial/contracts';
import { type PipelineDefinition, type StageDefinition, stageOf } from '../pipeline-definition';

/** Where the images come from and how pods run; per environment. */
export interface WorkflowTemplateOptions {
  readonly name: string;
  readonly namespace: string;
  /** Container registry (the project's, `PLATFORM.imageRegistry`); images are `<registry>/<image>:<tag>`. */
  readonly registry: string;
  /** Image tag: a release version or a digest-pinned tag, never `latest`. */
  readonly imageTag: string;
  /** Service account of the pods (given its IAM role by an EKS Pod Identity association). */
  readonly serviceAccountName: string;
  /** `s3://bucket[/prefix]` of the work objects. */
  readonly objectStore: string;
  /** `s3://bucket[/prefix]` Publish writes the products to. @default objectStore */
  readonly publishedStore?: string;
  readonly environment: string;
  /**
   * The Secret (and its key) holding the broker URL stage pods publish their progress to
   * (`MQTT_URL`); without it stages publish nothing and the Hub shows job events only.
   * @default - none
   */
  readonly brokerSecret?: { readonly name: string; readonly key: string };
  /** Nodes every stage pod runs on (GPU stages add the GPU label to it). */
  readonly nodeSelector?: Readonly<Record<string, string>>;
}

/** The parts of an Argo Workflows WorkflowTemplate this renderer writes (a plain object). */
export interface RenderedWorkflowTemplate {
  apiVersion: 'argoproj.io/v1alpha1';
  kind: 'WorkflowTemplate';
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: Record<string, unknown> & { templates: Record<string, unknown>[] };
}

const GPU_RESOURCE = 'nvidia.com/gpu';

/**
 * When Argo retries a stage: the same failures AWS Batch retries (infra's job definitions: exit
 * code 75 and the loss of the host), so a job behaves alike on both engines.
 *
 * Argo evaluates `expression` after each failed attempt over `lastRetry.exitCode` (a string, "-1"
 * when there is none, hence `asInt`), `lastRetry.status` ("Error" or "Failed"),
 * `lastRetry.duration` and `lastRetry.message`, and retries only when both it and `retryPolicy`
 * allow (https://argo-workflows.readthedocs.io/en/latest/retries/). `OnTransientError` only
 * allows the controller's own transient errors (API timeouts), so exit 75 was never retried:
 * the policy is `Always` and the expression alone decides.
 * - `asInt(lastRetry.exitCode) == 75`: the workers' "transient, try again" (EX_TEMPFAIL).
 * - `lastRetry.status == "Error"`: the pod was deleted (Karpenter draining a node for a spot
 *   interruption or consolidation, a node lost) or an executor container failed: the controller
 *   marks such nodes Error, not Failed (argo-workflows#2855).
 * - `lastRetry.message matches 'imminent node shutdown'`: the kubelet's graceful node shutdown
 *   fails the pod (phase Failed) with that message; Argo's conditional-retry example matches it.
 * A stage that fails on its own (any other exit code) is not retried.
 */
export const RETRY_EXPRESSION = [
  `asInt(lastRetry.exitCode) == ${TRANSIENT_EXIT_CODE}`,
  'lastRetry.status == "Error"',
  "lastRetry.message matches 'imminent node shutdown'",
].join(' || ');

/**
 * The pipeline as an Argo Workflows WorkflowTemplate, rendered from the same definition as the
 * ASL: a DAG of the stages (the parallel branches side by side, each task gated by the presets
 * that include it), the same images and resources, retries on transient failures with backoff,
 * per-stage and whole-job deadlines, and Notify as the exit handler, told how the job ended.
 * Objects pass between stages by reference: each stage reads and writes the object store under
 * `jobs/<jobId>/`, exactly as on the other engines.
 */
export function renderWorkflowTemplate(
  definition: PipelineDefinition,
  o: WorkflowTemplateOptions,
): RenderedWorkflowTemplate {
  const tasks: Record<string, unknown>[] = [];
  let previous: string[] = [];
  for (const step of definition.flow) {
    if (typeof step === 'string') {
      tasks.push(task(definition, step, previous));
      previous = [taskName(step)];
    } else {
      const ends: string[] = [];
      for (const branch of step.branches) {
        let before = previous;
        for (const stage of branch) {
          tasks.push(task(definition, stage, before));
          before = [taskName(stage)];
        }
        ends.push(...before);
      }
      previous = ends;
    }
  }
  const stages = definition.stages.map((s) => stageTemplate(s, o, s.name === definition.flow[0]));
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'WorkflowTemplate',
    metadata: {
      name: o.name,
      namespace: o.namespace,
      labels: { 'app.kubernetes.io/name': 'aerial-pipeline', 'app.kubernetes.io/part-of': 'aerial-platform' },
    },
    spec: {
      entrypoint: 'pipeline',
      onExit: 'notify',
      serviceAccountName: o.serviceAccountName,
      ...(o.nodeSelector ? { nodeSelector: { ...o.nodeSelector } } : {}),
      activeDeadlineSeconds: definition.timeoutSeconds,
      arguments: {
        parameters: [
          { name: 'jobId', description: 'job id (names the objects under jobs/<jobId>/)' },
          { name: 'preset', description: 'survey | map | 3d | full' },
          { name: 'request', description: 'the job request (JSON), validated by the first stage' },
        ],
      },
      podGC: { strategy: 'OnPodSuccess' },
      ttlStrategy: { secondsAfterSuccess: 86_400, secondsAfterFailure: 7 * 86_400 },
      securityContext: {
        runAsNonRoot: true,
        runAsUser: 1000,
        runAsGroup: 1000,
        fsGroup: 1000,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      templates: [
        { name: 'pipeline', dag: { tasks } },
        {
          name: 'notify',
          dag: { tasks: [{ name: 'notify', template: templateName(definition.notify) }] },
        },
        ...stages,
      ],
    },
  };
}

const taskName = (stage: StageName) => stage.toLowerCase();
const templateName = (stage: StageName) => `stage-${stage.toLowerCase()}`;

function task(definition: PipelineDefinition, stage: StageName, dependencies: string[]): Record<string, unknown> {
  const presets = stageOf(definition, stage).presets;
  const all = (['survey', 'map', '3d', 'full'] as Preset[]).every((p) => presets.includes(p));
  return {
    name: taskName(stage),
    template: templateName(stage),
    ...(dependencies.length ? { dependencies } : {}),
    // Argo counts a skipped dependency as done, as the ASL's Choice skips to the next state.
    ...(all ? {} : { when: `'{{workflow.parameters.preset}}' =~ '^(${presets.join('|')})$'` }),
  };
}

function stageTemplate(stage: StageDefinition, o: WorkflowTemplateOptions, first: boolean): Record<string, unknown> {
  const memory = `${stage.resources.memoryMiB}Mi`;
  const cpu = String(stage.resources.vcpu);
  const gpu = stage.resources.gpu > 0;
  const env = [
    { name: 'AERIAL_JOB_ID', value: '{{workflow.parameters.jobId}}' },
    { name: 'AERIAL_STAGE', value: stage.name },
    // Argo counts retries from 0; the entrypoint turns it into the attempt number.
    { name: 'AERIAL_STAGE_RETRIES', value: '{{retries}}' },
    { name: 'AERIAL_ENV', value: o.environment },
    { name: 'OBJECT_STORE', value: o.objectStore },
    { name: 'AERIAL_METRICS', value: 'emf' },
    // Optional: a missing Secret (its ExternalSecret not yet synced) must not stop the job.
    ...(o.brokerSecret
      ? [{ name: 'MQTT_URL', valueFrom: { secretKeyRef: { ...o.brokerSecret, optional: true } } }]
      : []),
    ...(first ? [{ name: 'AERIAL_REQUEST', value: '{{workflow.parameters.request}}' }] : []),
    // Only Publish writes the published bucket (its role may; the others' may not need to).
    ...(stage.name === 'Publish' && o.publishedStore ? [{ name: 'PUBLISHED_STORE', value: o.publishedStore }] : []),
    ...(stage.name === 'Notify'
      ? [
          { name: 'AERIAL_OUTCOME', value: '{{workflow.status}}' },
          { name: 'AERIAL_FAILURE', value: '{{workflow.failures}}' },
        ]
      : []),
  ];
  return {
    name: templateName(stage.name),
    metadata: { labels: { 'aerial.dev/stage': stage.name } },
    activeDeadlineSeconds: stage.timeoutSeconds,
    retryStrategy: {
      // Attempts in all, as Batch's `attempts`: Argo's limit counts the retries only.
      limit: String(stage.retry.attempts - 1),
      retryPolicy: 'Always',
      expression: RETRY_EXPRESSION,
      backoff: {
        duration: `${stage.retry.intervalSeconds}s`,
        factor: String(stage.retry.backoffRate),
        // Argo caps a retried pod's deadline at what is left of maxDuration (argo-workflows#13044):
        // leave every attempt its full stage timeout, as Batch does; the job's deadline still holds.
        maxDuration: `${retryBudgetSeconds(stage)}s`,
      },
    },
    ...(gpu
      ? {
          // A template's nodeSelector replaces the workflow's: repeat it.
          nodeSelector: { ...o.nodeSelector, 'aerial.dev/accelerator': 'nvidia-gpu' },
          tolerations: [{ key: GPU_RESOURCE, operator: 'Exists', effect: 'NoSchedule' }],
        }
      : {}),
    container: {
      name: 'main',
      image: `${o.registry}/${stage.image}:${o.imageTag}`,
      command: ['node', '/app/lib/entrypoint.js', stage.name],
      env,
      resources: {
        requests: { cpu, memory, ...(gpu ? { [GPU_RESOURCE]: String(stage.resources.gpu) } : {}) },
        limits: { cpu, memory, ...(gpu ? { [GPU_RESOURCE]: String(stage.resources.gpu) } : {}) },
      },
      securityContext: {
        runAsNonRoot: true,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      },
      volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
    },
    volumes: [
      { name: 'tmp', emptyDir: { sizeLimit: `${Math.max(4, Math.ceil(stage.resources.memoryMiB / 1024) * 2)}Gi` } },
    ],
  };
}

/** Every attempt's timeout plus the backoff waits between them. */
function retryBudgetSeconds(stage: StageDefinition): number {
  const { attempts, intervalSeconds, backoffRate } = stage.retry;
  let waits = 0;
  for (let retry = 0; retry < attempts - 1; retry++) waits += intervalSeconds * backoffRate ** retry;
  return attempts * stage.timeoutSeconds + Math.ceil(waits);
}

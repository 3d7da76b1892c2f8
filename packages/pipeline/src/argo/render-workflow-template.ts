import { type Preset, type StageName } from '@aerial/contracts';
import { type PipelineDefinition, type StageDefinition, stageOf } from '../definition/pipeline-definition';

/** Where the images come from and how pods run; per environment. */
export interface WorkflowTemplateOptions {
  readonly name: string;
  readonly namespace: string;
  /** Container registry (e.g. the ECR registry host); images are `<registry>/<image>:<tag>`. */
  readonly registry: string;
  /** Image tag: a release version or a digest-pinned tag, never `latest`. */
  readonly imageTag: string;
  /** Service account of the pods (IRSA-annotated for S3 access). */
  readonly serviceAccountName: string;
  /** `s3://bucket[/prefix]` of the work objects. */
  readonly objectStore: string;
  readonly environment: string;
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
    ...(first ? [{ name: 'AERIAL_REQUEST', value: '{{workflow.parameters.request}}' }] : []),
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
      limit: String(stage.retry.attempts - 1),
      retryPolicy: 'OnTransientError',
      // Exit 75 is the workers' "transient: try again" (EX_TEMPFAIL).
      expression: 'asInt(lastRetry.exitCode) == 75',
      backoff: {
        duration: `${stage.retry.intervalSeconds}s`,
        factor: String(stage.retry.backoffRate),
        maxDuration: `${stage.timeoutSeconds}s`,
      },
    },
    ...(gpu
      ? {
          nodeSelector: { 'aerial.dev/accelerator': 'nvidia-gpu' },
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

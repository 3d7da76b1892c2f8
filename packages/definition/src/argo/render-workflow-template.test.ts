import { TRANSIENT_EXIT_CODE } from '@aerial/contracts';
import { AERIAL_PIPELINE } from '../pipeline-definition';
import { renderWorkflowTemplate, RETRY_EXPRESSION } from './render-workflow-template';

const options = {
  name: 'aerial-job',
  namespace: 'aerial-pipeline',
  registry: 'ghcr.io/owner/repo',
  imageTag: '1.2.3',
  serviceAccountName: 'aerial-pipeline',
  objectStore: 's3://bucket',
  environment: 'dev',
  nodeSelector: { 'kubernetes.io/arch': 'amd64' },
};
type Template = {
  name: string;
  container?: { image: string };
  nodeSelector?: Record<string, string>;
  retryStrategy?: { limit: string; retryPolicy: string; expression: string; backoff: Record<string, string> };
};
const stageTemplates = () =>
  (renderWorkflowTemplate(AERIAL_PIPELINE, options).spec.templates as Template[]).filter((t) => t.container);

describe('renderWorkflowTemplate', () => {
  test('with a broker secret every stage publishes its own progress (MQTT_URL from the secret, optional)', () => {
    type Env = { name: string; valueFrom?: unknown }[];
    const envOf = (withBroker: boolean) =>
      (
        renderWorkflowTemplate(AERIAL_PIPELINE, {
          ...options,
          ...(withBroker ? { brokerSecret: { name: 'aerial-stage-broker', key: 'MQTT_URL' } } : {}),
        }).spec.templates as { container?: { env: Env } }[]
      ).flatMap((t) => (t.container ? [t.container.env] : []));
    const withBroker = envOf(true);
    expect(withBroker).toHaveLength(AERIAL_PIPELINE.stages.length);
    for (const env of withBroker) {
      expect(env.find((e) => e.name === 'MQTT_URL')).toEqual({
        name: 'MQTT_URL',
        valueFrom: { secretKeyRef: { name: 'aerial-stage-broker', key: 'MQTT_URL', optional: true } },
      });
    }
    for (const env of envOf(false)) expect(env.map((e) => e.name)).not.toContain('MQTT_URL');
  });

  test('retries under the Always policy with the expression naming the transient exit code and node loss', () => {
    expect(RETRY_EXPRESSION).toContain(`asInt(lastRetry.exitCode) == ${TRANSIENT_EXIT_CODE}`);
    expect(RETRY_EXPRESSION).toContain('lastRetry.status == "Error"');
    for (const t of stageTemplates())
      expect(t.retryStrategy).toMatchObject({ retryPolicy: 'Always', expression: RETRY_EXPRESSION });
  });

  test("limit + 1 attempts as the stage definition (Batch's attempts); backoff from its interval and rate", () => {
    for (const stage of AERIAL_PIPELINE.stages) {
      const t = stageTemplates().find((x) => x.name === `stage-${stage.name.toLowerCase()}`)!;
      expect(Number(t.retryStrategy!.limit) + 1).toBe(stage.retry.attempts);
      expect(t.retryStrategy!.backoff).toMatchObject({
        duration: `${stage.retry.intervalSeconds}s`,
        factor: String(stage.retry.backoffRate),
      });
      // Every attempt keeps its whole stage timeout (maxDuration caps retried pods' deadlines).
      expect(Number.parseInt(t.retryStrategy!.backoff.maxDuration!, 10)).toBeGreaterThanOrEqual(
        stage.retry.attempts * stage.timeoutSeconds,
      );
    }
  });

  test('images are <registry>/<image>:<tag>; every pod selects the given nodes, GPU stages add the GPU label', () => {
    const rendered = renderWorkflowTemplate(AERIAL_PIPELINE, options);
    expect(rendered.spec.nodeSelector).toEqual(options.nodeSelector);
    for (const stage of AERIAL_PIPELINE.stages) {
      const t = stageTemplates().find((x) => x.name === `stage-${stage.name.toLowerCase()}`)!;
      expect(t.container!.image).toBe(`ghcr.io/owner/repo/${stage.image}:1.2.3`);
      if (stage.resources.gpu > 0)
        expect(t.nodeSelector).toEqual({ ...options.nodeSelector, 'aerial.dev/accelerator': 'nvidia-gpu' });
      else expect(t.nodeSelector).toBeUndefined();
    }
  });
});

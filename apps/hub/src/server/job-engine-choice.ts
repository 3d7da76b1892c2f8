import { AerialError, LOCAL_STATE_MACHINE_ARN, type RuntimeConfig } from '@aerial/contracts';
import type { Logger } from '@aerial/runtime';
import { SFNClient } from '@aws-sdk/client-sfn';
import { ArgoWorkflowsEngine } from '../engine/argo-workflows-engine';
import { type JobEngine, StepFunctionsEngine } from '../engine/job-engine';
import type { Stops } from './embedded-services';
import { startEngineProcess } from './engine-process';

/**
 * Where jobs run: Argo Workflows (ARGO_SERVER_URL), Step Functions (SFN_ENDPOINT, with
 * STATE_MACHINE_ARN), or the local engine started as a process of its own (AERIAL_ENGINE_COMMAND)
 * with `engineEnv` as its environment and its output in the Hub's log.
 */
export async function chooseJobEngine(
  config: RuntimeConfig,
  engineEnv: NodeJS.ProcessEnv,
  log: Logger,
  stops: Stops,
): Promise<JobEngine> {
  if (config.ARGO_SERVER_URL) {
    log.info(`jobs run on Argo Workflows at ${config.ARGO_SERVER_URL} (namespace ${config.ARGO_NAMESPACE})`);
    return new ArgoWorkflowsEngine({
      serverUrl: config.ARGO_SERVER_URL,
      namespace: config.ARGO_NAMESPACE,
      ...(config.ARGO_TOKEN_FILE ? { tokenFile: config.ARGO_TOKEN_FILE } : {}),
    });
  }
  if (config.SFN_ENDPOINT) {
    // AWS credentials and region from the environment (the pod's IAM role in the cloud).
    return new StepFunctionsEngine(
      new SFNClient({ endpoint: config.SFN_ENDPOINT }),
      config.STATE_MACHINE_ARN ?? LOCAL_STATE_MACHINE_ARN,
    );
  }
  if (!config.AERIAL_ENGINE_COMMAND)
    throw new AerialError(
      'Aerial.InvalidInput',
      'no engine: none of ARGO_SERVER_URL, SFN_ENDPOINT and AERIAL_ENGINE_COMMAND is set',
      'run "pnpm start", or point the Hub at Step Functions or Argo Workflows',
    );
  const local = await startEngineProcess(config.AERIAL_ENGINE_COMMAND, engineEnv, log.child({ component: 'engine' }));
  stops.push(local.stop);
  log.info(`local engine on ${local.endpoint}`);
  const sfn = new SFNClient({
    endpoint: local.endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return new StepFunctionsEngine(sfn, LOCAL_STATE_MACHINE_ARN);
}

import { LOCAL_ENGINE } from '@aerial/contracts';
import { type PipelineDefinition } from '../pipeline-definition';
import { substitution } from './render-asl';

const { region: REGION, account: ACCOUNT } = LOCAL_ENGINE;

/** Local names for the ARNs CDK would inject; stages are recovered from them when tasks run. */
export function localSubstitutions(definition: PipelineDefinition): Record<string, string> {
  const values: Record<string, string> = {
    [substitution.jobQueueArnPrefix]: `arn:aws:batch:${REGION}:${ACCOUNT}:job-queue/aerial-local-`,
    [substitution.gpuJobQueueArnPrefix]: `arn:aws:batch:${REGION}:${ACCOUNT}:job-queue/aerial-local-gpu-`,
  };
  for (const stage of definition.stages) {
    if (stage.kind === 'function') {
      values[substitution.functionArn(stage.name)] =
        `arn:aws:lambda:${REGION}:${ACCOUNT}:function:aerial-${stage.name}`;
    } else {
      values[substitution.jobDefinitionArn(stage.name)] =
        `arn:aws:batch:${REGION}:${ACCOUNT}:job-definition/aerial-${stage.name}`;
    }
  }
  return values;
}

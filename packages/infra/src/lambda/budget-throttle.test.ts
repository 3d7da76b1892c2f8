import {
  BatchClient,
  DescribeComputeEnvironmentsCommand,
  UpdateComputeEnvironmentCommand,
} from '@aws-sdk/client-batch';
import { CostExplorerClient, GetCostAndUsageCommand } from '@aws-sdk/client-cost-explorer';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from './budget-throttle';

const batch = mockClient(BatchClient);
const ce = mockClient(CostExplorerClient);
const CPU = 'arn:aws:batch:eu-west-1:000000000000:compute-environment/cpu';
const GPU = 'arn:aws:batch:eu-west-1:000000000000:compute-environment/gpu';

describe('budget-throttle Lambda', () => {
  beforeEach(() => {
    batch.reset();
    ce.reset();
    process.env.MONTHLY_BUDGET_USD = '800';
    process.env.COMPUTE_ENVIRONMENTS = JSON.stringify({ [CPU]: 32, [GPU]: 8 });
    // Over budget: every environment goes to zero, except what running jobs hold.
    ce.on(GetCostAndUsageCommand).resolves({ ResultsByTime: [{ Total: { UnblendedCost: { Amount: '900' } } }] });
    batch.on(DescribeComputeEnvironmentsCommand).resolves({
      computeEnvironments: [
        { computeEnvironmentArn: CPU, computeEnvironmentName: 'cpu', computeResources: { desiredvCpus: 6 } as never },
        { computeEnvironmentArn: GPU, computeEnvironmentName: 'gpu', computeResources: { desiredvCpus: 0 } as never },
      ],
    });
  });

  test('never asks for a maximum below the desired vCPUs of running jobs', async () => {
    batch.on(UpdateComputeEnvironmentCommand).resolves({});
    const out = await handler();
    expect(out.maxvCpus).toEqual({ [CPU]: 6, [GPU]: 0 });
    const updates = batch.commandCalls(UpdateComputeEnvironmentCommand).map((c) => c.args[0].input);
    expect(updates).toEqual([
      { computeEnvironment: CPU, computeResources: { maxvCpus: 6 } },
      { computeEnvironment: GPU, computeResources: { maxvCpus: 0 } },
    ]);
  });

  test('one refused update does not stop the others, and the run still fails', async () => {
    batch
      .on(UpdateComputeEnvironmentCommand, { computeEnvironment: CPU })
      .rejects(new Error('ClientException: busy'))
      .on(UpdateComputeEnvironmentCommand, { computeEnvironment: GPU })
      .resolves({});
    await expect(handler()).rejects.toThrow(/could not update 1 compute environment\(s\): .*cpu: ClientException/);
    expect(batch.commandCalls(UpdateComputeEnvironmentCommand)).toHaveLength(2);
  });
});

import { Duration } from 'aws-cdk-lib';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { acknowledge } from '../nag/acknowledge';

export type Priority = 'high' | 'normal' | 'low';
export const PRIORITIES: readonly Priority[] = ['high', 'normal', 'low'];
const QUEUE_PRIORITY: Record<Priority, number> = { high: 100, normal: 50, low: 10 };

export interface BatchComputeProps {
  readonly vpc: ec2.IVpc;
  /** Queue names are `<namePrefix>-<priority>` and `<namePrefix>-gpu-<priority>`. */
  readonly namePrefix: string;
  readonly cpuMaxVcpus: number;
  readonly gpuMaxVcpus: number;
  /** How long a job may wait RUNNABLE for capacity or on a misconfiguration before it is cancelled. @default 4 hours */
  readonly maxRunnableTime?: Duration;
}

/**
 * AWS Batch capacity that costs nothing idle (min vCPUs 0): CPU spot with an on-demand fallback,
 * GPU spot with an on-demand fallback at lower order, and high/normal/low queues for each. Jobs
 * stuck RUNNABLE (no capacity, or asking for more than any instance has) are cancelled instead of
 * waiting forever.
 */
export class BatchCompute extends Construct {
  readonly cpuQueues: Record<Priority, batch.JobQueue>;
  readonly gpuQueues: Record<Priority, batch.JobQueue>;
  readonly computeEnvironments: batch.ManagedEc2EcsComputeEnvironment[];

  constructor(scope: Construct, id: string, props: BatchComputeProps) {
    super(scope, id);
    const vpcSubnets = { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
    const env = (name: string, spot: boolean, gpu: boolean, maxvCpus: number) =>
      new batch.ManagedEc2EcsComputeEnvironment(this, name, {
        vpc: props.vpc,
        vpcSubnets,
        spot,
        minvCpus: 0,
        maxvCpus,
        ...(spot ? { allocationStrategy: batch.AllocationStrategy.SPOT_PRICE_CAPACITY_OPTIMIZED } : {}),
        instanceClasses: gpu
          ? [ec2.InstanceClass.G5, ec2.InstanceClass.G6]
          : [ec2.InstanceClass.C7I, ec2.InstanceClass.M7I, ec2.InstanceClass.R7I],
        useOptimalInstanceClasses: false,
        updateToLatestImageVersion: true,
      });
    const cpuSpot = env('CpuSpot', true, false, props.cpuMaxVcpus);
    const cpuOnDemand = env('CpuOnDemand', false, false, Math.max(4, Math.floor(props.cpuMaxVcpus / 4)));
    const gpuSpot = env('GpuSpot', true, true, Math.max(props.gpuMaxVcpus, 4));
    const gpuOnDemand = env('GpuOnDemand', false, true, Math.max(4, Math.floor(props.gpuMaxVcpus / 2)));
    this.computeEnvironments = [cpuSpot, cpuOnDemand, gpuSpot, gpuOnDemand];
    acknowledge(this, 'Batch container instances need the AWS-managed ECS instance role policy to join their cluster', [
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role]',
    ]);

    const maxTime = props.maxRunnableTime ?? Duration.hours(4);
    const stuck = [
      batch.JobStateTimeLimitActionsReason.INSUFFICIENT_INSTANCE_CAPACITY,
      batch.JobStateTimeLimitActionsReason.COMPUTE_ENVIRONMENT_MAX_RESOURCE,
      batch.JobStateTimeLimitActionsReason.JOB_RESOURCE_REQUIREMENT,
    ].map((reason) => ({
      reason,
      maxTime,
      action: batch.JobStateTimeLimitActionsAction.CANCEL,
      state: batch.JobStateTimeLimitActionsState.RUNNABLE,
    }));
    const queues = (kind: 'Cpu' | 'Gpu', first: batch.IComputeEnvironment, fallback: batch.IComputeEnvironment) =>
      Object.fromEntries(
        PRIORITIES.map((p) => [
          p,
          new batch.JobQueue(this, `${kind}${p[0]!.toUpperCase()}${p.slice(1)}Queue`, {
            jobQueueName: `${props.namePrefix}-${kind === 'Gpu' ? 'gpu-' : ''}${p}`,
            priority: QUEUE_PRIORITY[p],
            computeEnvironments: [
              { computeEnvironment: first, order: 1 },
              { computeEnvironment: fallback, order: 2 },
            ],
            jobStateTimeLimitActions: stuck,
          }),
        ]),
      ) as Record<Priority, batch.JobQueue>;
    this.cpuQueues = queues('Cpu', cpuSpot, cpuOnDemand);
    this.gpuQueues = queues('Gpu', gpuSpot, gpuOnDemand);
  }
}

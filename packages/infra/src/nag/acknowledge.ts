import { type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { type IConstruct } from 'constructs';

/**
 * Acknowledges cdk-nag findings on `scope` (and its children) for one stated reason. cdk-nag 3
 * matches whole finding ids, e.g. `AwsSolutions-IAM5[Resource::*]`, so every finding accepted is
 * named here; an unnamed new finding fails synthesis.
 */
export function acknowledge(scope: IConstruct, reason: string, ids: readonly string[]): void {
  for (const id of ids) Validations.of(scope).acknowledge({ id, reason });
}

/** How cdk-nag prints the ARN of a resource of the same stack in a finding id: `<LogicalId.Arn>`. */
export function arnToken(resource: IConstruct): string {
  const element = (resource.node.defaultChild ?? resource) as CfnElement;
  return `<${Stack.of(element).resolve(element.logicalId) as string}.Arn>`;
}

/** The wildcards `grantRead`/`grantReadWrite` on buckets produce: object actions on `bucket/*`. */
export function bucketGrantFindings(buckets: readonly IConstruct[], write: boolean): string[] {
  const actions = ['s3:GetObject*', 's3:GetBucket*', 's3:List*', ...(write ? ['s3:DeleteObject*', 's3:Abort*'] : [])];
  return [
    ...actions.map((a) => `AwsSolutions-IAM5[Action::${a}]`),
    ...buckets.map((b) => `AwsSolutions-IAM5[Resource::${arnToken(b)}/*]`),
  ];
}

export const LAMBDA_BASIC_EXECUTION =
  'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]';

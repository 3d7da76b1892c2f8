import { ArnFormat, type Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * What a client that runs jobs on the pipeline's state machine needs (the Hub pointed at Step
 * Functions): start and list its executions, read, stop and resume (RedriveExecution) each one.
 * By the state machine's fixed name, so that a role in another stack holds no cross-stack reference.
 */
export function jobControlStatements(stack: Stack, stateMachineName: string): iam.PolicyStatement[] {
  const arn = (resource: string, resourceName: string) =>
    stack.formatArn({ service: 'states', resource, resourceName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  return [
    new iam.PolicyStatement({
      actions: ['states:StartExecution', 'states:ListExecutions'],
      resources: [arn('stateMachine', stateMachineName)],
    }),
    new iam.PolicyStatement({
      actions: [
        'states:DescribeExecution',
        'states:GetExecutionHistory',
        'states:StopExecution',
        'states:RedriveExecution',
      ],
      resources: [arn('execution', `${stateMachineName}:*`)],
    }),
  ];
}

/** The cdk-nag finding the executions' wildcard raises, as it prints it. */
export function jobControlFindings(stack: Stack, stateMachineName: string): string[] {
  const region = stack.resolve(stack.region) === stack.region ? stack.region : '<AWS::Region>';
  return [
    `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:${region}:<AWS::AccountId>:execution:${stateMachineName}:*]`,
  ];
}

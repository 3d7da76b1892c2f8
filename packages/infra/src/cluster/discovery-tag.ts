import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';

export interface SecurityGroupTagProps {
  readonly securityGroupId: string;
  readonly tag: { readonly key: string; readonly value: string };
}

/**
 * Tags a security group CloudFormation does not own: the cluster security group EKS creates, which
 * the managed nodes already carry. Karpenter's EC2NodeClass selects security groups by the
 * discovery tag, so its nodes get the same group and talk to the control plane, the system nodes
 * and the database exactly as the managed nodes do. (eksctl and cdk-eks-blueprints tag this group
 * for Karpenter the same way.)
 */
export class SecurityGroupTag extends Construct {
  constructor(scope: Construct, id: string, props: SecurityGroupTagProps) {
    super(scope, id);
    const { partition, region, account } = Stack.of(this);
    const call = (action: 'createTags' | 'deleteTags'): cr.AwsSdkCall => ({
      service: 'EC2',
      action,
      parameters: {
        Resources: [props.securityGroupId],
        Tags: [{ Key: props.tag.key, ...(action === 'createTags' ? { Value: props.tag.value } : {}) }],
      },
      physicalResourceId: cr.PhysicalResourceId.of(`${props.securityGroupId}/${props.tag.key}`),
    });
    new cr.AwsCustomResource(this, 'Resource', {
      onCreate: call('createTags'),
      onUpdate: call('createTags'),
      onDelete: call('deleteTags'),
      installLatestAwsSdk: false,
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({
          actions: ['ec2:CreateTags', 'ec2:DeleteTags'],
          resources: [`arn:${partition}:ec2:${region}:${account}:security-group/${props.securityGroupId}`],
        }),
      ]),
    });
  }
}

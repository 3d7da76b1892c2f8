import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledge } from '../nag/acknowledge';

export interface GithubDeployAccessProps {
  readonly owner: string;
  readonly repo: string;
  /** GitHub environment whose jobs may assume the role (dev, staging, prod). */
  readonly environmentName: string;
  /** Fixed role name (`deploymentNames(env).roles.githubDeploy`): the deploy workflow assumes it by name. */
  readonly roleName: string;
  /** Create the account's GitHub OIDC provider here (one per account). @default true */
  readonly createProvider?: boolean;
}

/**
 * GitHub Actions deploys with short-lived credentials: the account's OIDC provider for GitHub
 * and a role that only this repository's jobs in the given GitHub environment can assume, allowed
 * only to assume the CDK bootstrap roles. No long-lived keys exist.
 */
export class GithubDeployAccess extends Construct {
  static readonly ISSUER = 'token.actions.githubusercontent.com';
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: GithubDeployAccessProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const providerArn =
      props.createProvider === false
        ? stack.formatArn({
            service: 'iam',
            region: '',
            resource: 'oidc-provider',
            resourceName: GithubDeployAccess.ISSUER,
          })
        : new iam.OidcProviderNative(this, 'Provider', {
            url: `https://${GithubDeployAccess.ISSUER}`,
            clientIds: ['sts.amazonaws.com'],
          }).oidcProviderArn;
    this.role = new iam.Role(this, 'Resource', {
      roleName: props.roleName,
      description: `GitHub Actions deployments of ${props.owner}/${props.repo} to ${props.environmentName}`,
      maxSessionDuration: undefined,
      assumedBy: new iam.WebIdentityPrincipal(providerArn, {
        StringEquals: {
          [`${GithubDeployAccess.ISSUER}:aud`]: 'sts.amazonaws.com',
          [`${GithubDeployAccess.ISSUER}:sub`]: `repo:${props.owner}/${props.repo}:environment:${props.environmentName}`,
        },
      }),
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['sts:AssumeRole'],
        resources: [stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: 'cdk-hnb659fds-*' })],
      }),
    );
    acknowledge(
      this.role,
      'the CDK bootstrap roles (deploy, file and image publishing, lookup) share this prefix and are all a deployment needs',
      ['AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:role/cdk-hnb659fds-*]'],
    );
  }
}

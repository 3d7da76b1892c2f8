import { type DeploymentNames } from '@aerial/contracts';
import { Stack } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

export type PodIdentityKey = keyof DeploymentNames['podIdentities'];

export interface PodIdentitiesProps {
  readonly clusterName: string;
  readonly names: DeploymentNames;
  /**
   * What each identity may do, for every entry of `names.podIdentities` (the type makes a missing
   * one a compile error): statements added to its role, or managed policies attached to it.
   */
  readonly access: Record<PodIdentityKey, (role: iam.Role) => void>;
}

/**
 * One IAM role per service account that calls AWS, reached through EKS Pod Identity: the role
 * trusts `pods.eks.amazonaws.com` (with session tags, as Pod Identity requires) for this account,
 * cluster, namespace and service account only, and an association binds it to
 * `namespace/serviceAccount`. Manifests therefore name no
 * role ARN and no account; the names come from `deploymentNames`.
 */
export class PodIdentities extends Construct {
  readonly roles: Record<PodIdentityKey, iam.Role>;
  readonly associations: Record<PodIdentityKey, eks.CfnPodIdentityAssociation>;

  constructor(scope: Construct, id: string, props: PodIdentitiesProps) {
    super(scope, id);
    const account = Stack.of(this).account;
    const roles = {} as Record<PodIdentityKey, iam.Role>;
    const associations = {} as Record<PodIdentityKey, eks.CfnPodIdentityAssociation>;
    for (const key of Object.keys(props.names.podIdentities) as PodIdentityKey[]) {
      const identity = props.names.podIdentities[key];
      const role = new iam.Role(this, `${key}Role`, {
        roleName: identity.roleName,
        description: `EKS Pod Identity of ${identity.namespace}/${identity.serviceAccount}`,
        assumedBy: new iam.SessionTagsPrincipal(
          // The session tags Pod Identity sets (EKS user guide, pod-id-role) pin the role to its
          // own cluster, namespace and service account: no other association can assume it.
          new iam.ServicePrincipal('pods.eks.amazonaws.com').withConditions({
            StringEquals: {
              'aws:SourceAccount': account,
              'aws:RequestTag/eks-cluster-name': props.names.clusterName,
              'aws:RequestTag/kubernetes-namespace': identity.namespace,
              'aws:RequestTag/kubernetes-service-account': identity.serviceAccount,
            },
          }),
        ),
      });
      props.access[key](role);
      roles[key] = role;
      associations[key] = new eks.CfnPodIdentityAssociation(this, `${key}Association`, {
        clusterName: props.clusterName,
        namespace: identity.namespace,
        serviceAccount: identity.serviceAccount,
        roleArn: role.roleArn,
      });
    }
    this.roles = roles;
    this.associations = associations;
  }
}

/** S3 access to one bucket by fixed name: list and read, plus write and delete for `readWrite`. */
export function bucketStatements(
  partition: string,
  bucketName: string,
  mode: 'read' | 'readWrite',
): iam.PolicyStatement[] {
  const bucket = `arn:${partition}:s3:::${bucketName}`;
  return [
    new iam.PolicyStatement({ actions: ['s3:ListBucket', 's3:GetBucketLocation'], resources: [bucket] }),
    new iam.PolicyStatement({
      actions: [
        's3:GetObject',
        ...(mode === 'readWrite' ? ['s3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'] : []),
      ],
      resources: [`${bucket}/*`],
    }),
  ];
}

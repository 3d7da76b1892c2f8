import { Tags } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as eks from 'aws-cdk-lib/aws-eks';
import { Construct } from 'constructs';

export interface NodeSecurityGroupProps {
  readonly vpc: ec2.IVpc;
  readonly cluster: eks.Cluster;
  readonly clusterName: string;
  readonly discoveryTag: { readonly key: string; readonly value: string };
}

/**
 * The security group of the nodes Karpenter launches, found by the discovery tag their
 * EC2NodeClass selects. It trusts and is trusted by the cluster security group (the control plane
 * and the managed system nodes) in both directions and allows node-to-node traffic, which is what
 * pods on the VPC CNI need; it carries `kubernetes.io/cluster/<name>` so the load balancer
 * controller finds exactly one group to open for targets; and it joins the cluster's connections,
 * so whatever the cluster is allowed to reach (the database), its workload nodes reach too.
 */
export class NodeSecurityGroup extends Construct {
  readonly securityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: NodeSecurityGroupProps) {
    super(scope, id);
    this.securityGroup = new ec2.SecurityGroup(this, 'Resource', {
      vpc: props.vpc,
      description: `Nodes Karpenter launches for ${props.clusterName}`,
      allowAllOutbound: true,
    });
    Tags.of(this.securityGroup).add(props.discoveryTag.key, props.discoveryTag.value);
    Tags.of(this.securityGroup).add(`kubernetes.io/cluster/${props.clusterName}`, 'owned');
    const all = ec2.Port.allTraffic();
    // Ingress only: egress is open on both groups already.
    this.securityGroup.addIngressRule(this.securityGroup, all, 'pods and nodes across Karpenter nodes');
    this.securityGroup.addIngressRule(props.cluster.clusterSecurityGroup, all, 'control plane and system nodes');
    props.cluster.clusterSecurityGroup.addIngressRule(this.securityGroup, all, 'Karpenter nodes');
    props.cluster.connections.addSecurityGroup(this.securityGroup);
  }
}

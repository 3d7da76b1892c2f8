import { RemovalPolicy, Tags } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledge } from '../nag/acknowledge';

export interface AerialNetworkProps {
  /** NAT gateways; fewer than the AZ count shares them. @default 1 */
  readonly natGateways?: number;
  /** @default 2 */
  readonly maxAzs?: number;
  /**
   * Availability zones by name. Given, they avoid a context lookup at synth (which needs AWS
   * credentials); otherwise an environment-agnostic stack gets two. @default - two, unnamed
   */
  readonly availabilityZones?: string[];
  /** Retention of the VPC flow logs. @default logs.RetentionDays.ONE_MONTH */
  readonly flowLogRetention?: logs.RetentionDays;
}

/**
 * The VPC every workload runs in: public subnets only for NAT and load balancers, private
 * subnets with egress for compute (the cluster, Batch, Lambdas; stateful services run in the
 * cluster), gateway/interface endpoints so S3, ECR, Logs and STS traffic stays off the NAT, and
 * flow logs of all traffic.
 */
export class AerialNetwork extends Construct {
  readonly vpc: ec2.Vpc;

  constructor(scope: Construct, id: string, props: AerialNetworkProps = {}) {
    super(scope, id);
    this.vpc = new ec2.Vpc(this, 'Resource', {
      ipAddresses: ec2.IpAddresses.cidr('10.40.0.0/16'),
      ...(props.availabilityZones
        ? { availabilityZones: props.availabilityZones.slice(0, props.maxAzs ?? 2) }
        : { maxAzs: props.maxAzs ?? 2 }),
      natGateways: props.natGateways ?? 1,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 19 },
      ],
      gatewayEndpoints: {
        S3: { service: ec2.GatewayVpcEndpointAwsService.S3 },
      },
    });
    const flowLogs = new logs.LogGroup(this, 'FlowLogs', {
      retention: props.flowLogRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });
    const endpoints: Record<string, ec2.InterfaceVpcEndpointAwsService> = {
      EcrApi: ec2.InterfaceVpcEndpointAwsService.ECR,
      EcrDocker: ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
      Logs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
      Sts: ec2.InterfaceVpcEndpointAwsService.STS,
    };
    for (const [name, service] of Object.entries(endpoints)) {
      this.vpc.addInterfaceEndpoint(name, {
        service,
        privateDnsEnabled: true,
        subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      });
    }
    acknowledge(
      this.vpc,
      'interface endpoints accept HTTPS from the VPC CIDR only; cdk-nag cannot read the CIDR, a token until deployment',
      ['AwsSolutions-EC23'],
    );
  }

  /**
   * Tags the subnets for a cluster: Karpenter's EC2NodeClass finds the private subnets by the
   * discovery tag, and the load balancer controller picks internal load balancers' subnets by
   * `kubernetes.io/role/internal-elb` and internet-facing ones' by `kubernetes.io/role/elb`
   * (the subnet discovery its documentation describes).
   */
  tagClusterSubnets(clusterName: string, discoveryTag: { readonly key: string; readonly value: string }): void {
    for (const subnet of this.vpc.privateSubnets) {
      Tags.of(subnet).add(discoveryTag.key, discoveryTag.value);
      Tags.of(subnet).add('kubernetes.io/role/internal-elb', '1');
      Tags.of(subnet).add(`kubernetes.io/cluster/${clusterName}`, 'shared');
    }
    for (const subnet of this.vpc.publicSubnets) {
      Tags.of(subnet).add('kubernetes.io/role/elb', '1');
      Tags.of(subnet).add(`kubernetes.io/cluster/${clusterName}`, 'shared');
    }
  }
}

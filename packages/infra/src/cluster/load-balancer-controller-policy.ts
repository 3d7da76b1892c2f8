import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * The AWS Load Balancer Controller's IAM policy: the controller's published
 * `docs/install/iam_policy.json` (kubernetes-sigs/aws-load-balancer-controller, v2.14), as
 * cdk-eks-blueprints carries it (lib/addons/aws-loadbalancer-controller/iam-policy.ts), with the
 * partition parameterised. Kept verbatim so an upgrade is a diff against upstream, not a rewrite.
 */
export function loadBalancerControllerPolicy(partition: string): iam.PolicyDocument {
  return iam.PolicyDocument.fromJson({
    Version: '2012-10-17',
    // Upstream's order, grouped by what the statements are for.
    Statement: [
      SERVICE_LINKED_ROLE,
      DISCOVERY,
      INGRESS_INTEGRATIONS,
      ...securityGroupStatements(partition),
      ...loadBalancerStatements(partition),
    ],
  });
}

type Statement = Record<string, unknown>;

const SERVICE_LINKED_ROLE: Statement = {
  Effect: 'Allow',
  Action: 'iam:CreateServiceLinkedRole',
  Resource: '*',
  Condition: { StringEquals: { 'iam:AWSServiceName': 'elasticloadbalancing.amazonaws.com' } },
};

/** Reading the VPC and the load balancers it manages. */
const DISCOVERY: Statement = {
  Effect: 'Allow',
  Action: [
    'ec2:DescribeAccountAttributes',
    'ec2:DescribeAddresses',
    'ec2:DescribeAvailabilityZones',
    'ec2:DescribeInternetGateways',
    'ec2:DescribeVpcs',
    'ec2:DescribeVpcPeeringConnections',
    'ec2:DescribeSubnets',
    'ec2:DescribeSecurityGroups',
    'ec2:DescribeInstances',
    'ec2:DescribeNetworkInterfaces',
    'ec2:DescribeTags',
    'ec2:GetCoipPoolUsage',
    'ec2:DescribeCoipPools',
    'ec2:GetSecurityGroupsForVpc',
    'ec2:DescribeIpamPools',
    'ec2:DescribeRouteTables',
    'elasticloadbalancing:DescribeLoadBalancers',
    'elasticloadbalancing:DescribeLoadBalancerAttributes',
    'elasticloadbalancing:DescribeListeners',
    'elasticloadbalancing:DescribeListenerCertificates',
    'elasticloadbalancing:DescribeSSLPolicies',
    'elasticloadbalancing:DescribeRules',
    'elasticloadbalancing:DescribeTargetGroups',
    'elasticloadbalancing:DescribeTargetGroupAttributes',
    'elasticloadbalancing:DescribeTargetHealth',
    'elasticloadbalancing:DescribeTags',
    'elasticloadbalancing:DescribeTrustStores',
    'elasticloadbalancing:DescribeListenerAttributes',
    'elasticloadbalancing:DescribeCapacityReservation',
  ],
  Resource: '*',
};

/** Certificates, WAF and Shield, which Ingress annotations can turn on. */
const INGRESS_INTEGRATIONS: Statement = {
  Effect: 'Allow',
  Action: [
    'cognito-idp:DescribeUserPoolClient',
    'acm:ListCertificates',
    'acm:DescribeCertificate',
    'iam:ListServerCertificates',
    'iam:GetServerCertificate',
    'waf-regional:GetWebACL',
    'waf-regional:GetWebACLForResource',
    'waf-regional:AssociateWebACL',
    'waf-regional:DisassociateWebACL',
    'wafv2:GetWebACL',
    'wafv2:GetWebACLForResource',
    'wafv2:AssociateWebACL',
    'wafv2:DisassociateWebACL',
    'shield:GetSubscriptionState',
    'shield:DescribeProtection',
    'shield:CreateProtection',
    'shield:DeleteProtection',
  ],
  Resource: '*',
};

/** The security groups it creates for load balancers, only those tagged with its cluster. */
function securityGroupStatements(partition: string): Statement[] {
  const securityGroups = `arn:${partition}:ec2:*:*:security-group/*`;
  return [
    {
      Effect: 'Allow',
      Action: ['ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupIngress'],
      Resource: '*',
    },
    { Effect: 'Allow', Action: 'ec2:CreateSecurityGroup', Resource: '*' },
    {
      Effect: 'Allow',
      Action: 'ec2:CreateTags',
      Resource: securityGroups,
      Condition: {
        StringEquals: { 'ec2:CreateAction': 'CreateSecurityGroup' },
        Null: { 'aws:RequestTag/elbv2.k8s.aws/cluster': 'false' },
      },
    },
    {
      Effect: 'Allow',
      Action: ['ec2:CreateTags', 'ec2:DeleteTags'],
      Resource: securityGroups,
      Condition: {
        Null: { 'aws:RequestTag/elbv2.k8s.aws/cluster': 'true', 'aws:ResourceTag/elbv2.k8s.aws/cluster': 'false' },
      },
    },
    {
      Effect: 'Allow',
      Action: ['ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupIngress', 'ec2:DeleteSecurityGroup'],
      Resource: '*',
      Condition: { Null: { 'aws:ResourceTag/elbv2.k8s.aws/cluster': 'false' } },
    },
  ];
}

/** Load balancers, listeners, rules and target groups, only those tagged with its cluster where upstream says so. */
function loadBalancerStatements(partition: string): Statement[] {
  const elb = (resource: string) => `arn:${partition}:elasticloadbalancing:*:*:${resource}`;
  const balancers = [elb('targetgroup/*/*'), elb('loadbalancer/net/*/*'), elb('loadbalancer/app/*/*')];
  return [
    {
      Effect: 'Allow',
      Action: ['elasticloadbalancing:CreateLoadBalancer', 'elasticloadbalancing:CreateTargetGroup'],
      Resource: '*',
      Condition: { Null: { 'aws:RequestTag/elbv2.k8s.aws/cluster': 'false' } },
    },
    {
      Effect: 'Allow',
      Action: [
        'elasticloadbalancing:CreateListener',
        'elasticloadbalancing:DeleteListener',
        'elasticloadbalancing:CreateRule',
        'elasticloadbalancing:DeleteRule',
      ],
      Resource: '*',
    },
    {
      Effect: 'Allow',
      Action: ['elasticloadbalancing:AddTags', 'elasticloadbalancing:RemoveTags'],
      Resource: balancers,
      Condition: {
        Null: { 'aws:RequestTag/elbv2.k8s.aws/cluster': 'true', 'aws:ResourceTag/elbv2.k8s.aws/cluster': 'false' },
      },
    },
    {
      Effect: 'Allow',
      Action: ['elasticloadbalancing:AddTags', 'elasticloadbalancing:RemoveTags'],
      Resource: [
        elb('listener/net/*/*/*'),
        elb('listener/app/*/*/*'),
        elb('listener-rule/net/*/*/*'),
        elb('listener-rule/app/*/*/*'),
      ],
    },
    {
      Effect: 'Allow',
      Action: [
        'elasticloadbalancing:ModifyLoadBalancerAttributes',
        'elasticloadbalancing:SetIpAddressType',
        'elasticloadbalancing:SetSecurityGroups',
        'elasticloadbalancing:SetSubnets',
        'elasticloadbalancing:DeleteLoadBalancer',
        'elasticloadbalancing:ModifyTargetGroup',
        'elasticloadbalancing:ModifyTargetGroupAttributes',
        'elasticloadbalancing:DeleteTargetGroup',
        'elasticloadbalancing:ModifyListenerAttributes',
        'elasticloadbalancing:ModifyCapacityReservation',
        'elasticloadbalancing:ModifyIpPools',
      ],
      Resource: '*',
      Condition: { Null: { 'aws:ResourceTag/elbv2.k8s.aws/cluster': 'false' } },
    },
    {
      Effect: 'Allow',
      Action: 'elasticloadbalancing:AddTags',
      Resource: balancers,
      Condition: {
        StringEquals: { 'elasticloadbalancing:CreateAction': ['CreateTargetGroup', 'CreateLoadBalancer'] },
        Null: { 'aws:RequestTag/elbv2.k8s.aws/cluster': 'false' },
      },
    },
    {
      Effect: 'Allow',
      Action: ['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'],
      Resource: elb('targetgroup/*/*'),
    },
    {
      Effect: 'Allow',
      Action: [
        'elasticloadbalancing:SetWebAcl',
        'elasticloadbalancing:ModifyListener',
        'elasticloadbalancing:AddListenerCertificates',
        'elasticloadbalancing:RemoveListenerCertificates',
        'elasticloadbalancing:ModifyRule',
        'elasticloadbalancing:SetRulePriorities',
      ],
      Resource: '*',
    },
  ];
}

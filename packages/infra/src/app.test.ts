import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from './app';
import { FEATURE_FLAGS, FEATURE_FLAGS_NOT_ADOPTED } from './config/feature-flags';
import { type OrganizationStack } from './organization/organization-stack';

/** Every resource type each environment must contain, found in the synthesized templates. */
const COMPONENTS = [
  'AWS::EC2::VPC',
  'AWS::EC2::NatGateway',
  'AWS::EC2::VPCEndpoint',
  'AWS::EC2::FlowLog',
  'AWS::S3::Bucket',
  'AWS::SecretsManager::Secret',
  'AWS::StepFunctions::StateMachine',
  'AWS::Batch::ComputeEnvironment',
  'AWS::Batch::JobQueue',
  'AWS::Batch::JobDefinition',
  'AWS::KMS::Key',
  'AWS::SES::EmailIdentity',
  'AWS::ApiGateway::RestApi',
  'AWS::ApiGateway::UsagePlan',
  'AWS::Lambda::Function',
  'AWS::Events::Rule',
  'Custom::AWSCDK-EKS-Cluster',
  'Custom::AWSCDK-EKS-HelmChart',
  'Custom::AWSCDK-EKS-KubernetesResource',
  'AWS::SQS::Queue',
  'AWS::CloudWatch::Dashboard',
  'AWS::CloudWatch::Alarm',
  'AWS::SNS::Topic',
  'AWS::Budgets::Budget',
  'AWS::IAM::OIDCProvider',
];

describe('the CDK app', () => {
  let out: string;
  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), 'aerial-cdk-'));
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  test('synthesizes dev, staging and prod offline, Lambdas bundled, with no unacknowledged cdk-nag finding', () => {
    // Synthesis throws if AwsSolutions or Serverless reports any finding that is not acknowledged.
    const assembly = buildApp(new App({ outdir: out })).synth();
    const nested = assembly.nestedAssemblies.map((a) => a.nestedAssembly);
    expect(nested.map((a) => a.directory.split('/').pop()).sort()).toEqual([
      'assembly-dev',
      'assembly-prod',
      'assembly-staging',
    ]);
    for (const stage of nested) {
      const types = new Set<string>();
      for (const file of readdirSync(stage.directory).filter((f) => f.endsWith('.template.json'))) {
        const template = JSON.parse(readFileSync(join(stage.directory, file), 'utf8')) as {
          Resources?: Record<string, { Type: string }>;
        };
        for (const r of Object.values(template.Resources ?? {})) types.add(r.Type);
      }
      expect({ stage: stage.directory, missing: COMPONENTS.filter((t) => !types.has(t)) }).toEqual({
        stage: stage.directory,
        missing: [],
      });
    }
    // Lambda code was bundled from the workspace with esbuild, not left as source.
    const assets = readdirSync(out, { withFileTypes: true })
      .filter((f) => f.isDirectory() && f.name.startsWith('asset.'))
      .map((f) => f.name);
    expect(assets.some((a) => readdirSync(join(out, a)).includes('index.js'))).toBe(true);
  });

  test('an unacknowledged finding fails synthesis', () => {
    const app = new App();
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    new sqs.Queue(new Stack(app, 'Bad'), 'Queue');
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS3/);
  });

  test('the organization stack declares an OU and one account per environment when configured', () => {
    const app = buildApp(
      new App({
        context: {
          'aws:cdk:bundling-stacks': [],
          'aerial:organization': JSON.stringify({
            parentId: 'r-abcd',
            accountEmails: { dev: 'dev@example.org', prod: 'prod@example.org' },
          }),
        },
      }),
    );
    const org = app.node.findChild('Organization') as OrganizationStack;
    const template = Template.fromStack(org);
    template.resourceCountIs('AWS::Organizations::Account', 2);
    template.hasResourceProperties('AWS::Organizations::OrganizationalUnit', { ParentId: 'r-abcd' });
  });

  test('cdk.json runs the built app with the feature flags the app applies; they are aws-cdk-lib’s recommended set', () => {
    const cdkJson = JSON.parse(readFileSync(join(__dirname, '..', 'cdk.json'), 'utf8')) as {
      app: string;
      context: Record<string, unknown>;
    };
    expect(cdkJson.app).toBe('node lib/app.js');
    expect(cdkJson.context).toEqual(FEATURE_FLAGS);
    const recommended = JSON.parse(
      readFileSync(require.resolve('aws-cdk-lib/recommended-feature-flags.json'), 'utf8'),
    ) as Record<string, unknown>;
    const decided = { ...recommended };
    for (const flag of Object.keys(FEATURE_FLAGS_NOT_ADOPTED)) decided[flag] = false;
    expect(FEATURE_FLAGS).toEqual(decided);
    const app = buildApp(new App({ context: { 'aws:cdk:bundling-stacks': [] } }));
    for (const [flag, value] of Object.entries(FEATURE_FLAGS)) expect(app.node.tryGetContext(flag)).toEqual(value);
  });
});

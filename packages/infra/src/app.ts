import { ENVIRONMENT_NAMES, imageTags } from '@aerial/contracts';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { FEATURE_FLAGS } from './config/feature-flags';
import { infraConfig } from './config/infra-config';
import { OrganizationStack } from './organization/organization-stack';
import { AerialEnvironment } from './stacks/aerial-environment';

/**
 * The CDK app: one stage per environment. Runs offline: every value comes from config or context
 * (`-c aerial:<env>='{"environment":{"account":"…"}}'`), nothing is looked up at synth. The
 * feature flags of cdk.json apply however the app is built (tests build it without the CLI);
 * context given explicitly wins.
 */
export function buildApp(app: App = new App()): App {
  for (const [flag, value] of Object.entries(FEATURE_FLAGS))
    if (app.node.tryGetContext(flag) === undefined) app.node.setContext(flag, value);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  // Each environment runs the images its entry of image-tags.json names (the manifests read the
  // same file); `-c aerial:imageTag=<tag>` overrides it for every environment.
  const tagOverride = app.node.tryGetContext('aerial:imageTag') as string | undefined;
  const tags = imageTags();
  for (const name of ENVIRONMENT_NAMES) {
    const override = parseContext(app.node.tryGetContext(`aerial:${name}`));
    new AerialEnvironment(app, name, { config: infraConfig(name, override), imageTag: tagOverride ?? tags[name] });
  }
  const organization = parseContext(app.node.tryGetContext('aerial:organization')) as
    { parentId: string; accountEmails: Record<string, string> } | undefined;
  if (organization)
    new OrganizationStack(app, 'Organization', {
      ...organization,
      description: 'Aerial Platform: accounts per environment',
    });
  return app;
}

function parseContext(value: unknown): unknown {
  if (value === undefined) return undefined;
  return typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
}

if (require.main === module) buildApp().synth();

import { type EnvironmentName } from '@aerial/contracts';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../app';
import { type AerialEnvironment } from '../stacks/aerial-environment';

/**
 * The whole app, synthesized once per test file. Asset bundling is skipped (the context below):
 * construct tests assert on templates, and app.test.ts synthesizes with bundling once.
 */
export function synthApp(context: Record<string, unknown> = {}): {
  app: App;
  env: (name: EnvironmentName) => AerialEnvironment;
  template: (
    name: EnvironmentName,
    stack: 'network' | 'data' | 'pipeline' | 'cluster' | 'observability' | 'ciAccess',
  ) => Template;
} {
  const app = buildApp(new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } }));
  const env = (name: EnvironmentName) => app.node.findChild(name) as AerialEnvironment;
  const cache = new Map<string, Template>();
  return {
    app,
    env,
    template: (name, stack) => {
      const key = `${name}/${stack}`;
      if (!cache.has(key)) cache.set(key, Template.fromStack(env(name)[stack]));
      return cache.get(key)!;
    },
  };
}

import {
  AERIAL_ERROR_NAMES,
  AERIAL_ERRORS,
  environmentVariables,
  LambdaEnvSchema,
  PRESETS,
  PRODUCTS,
  RuntimeConfigSchema,
  StageProcessEnvSchema,
  topics,
  toJsonSchema,
} from '@aerial/contracts';
import { AERIAL_PIPELINE } from '@aerial/definition';
import { join } from 'node:path';
import { escapeHtml } from '../html';
import { BUILT_PROGRAMS, type BuiltProgram, isBuilt, runBuiltProgram } from './built-programs';
import { cliPage, parseUsage } from './cli-page';
import { environmentVariablesPage } from './environment-variables-page';
import { errorsPage } from './errors-page';
import { eventTypes, mqttPage, topicPattern } from './mqtt-page';
import { pipelinePage } from './pipeline-page';
import { productsPage } from './products-page';
import { apiOperations, OpenApiDocumentSchema, operationId, restApiPage } from './rest-api-page';

// Each test lists what exists in the code (from the code, not from the page) and fails on the
// first thing the generated page leaves out.
const repoRoot = join(__dirname, '..', '..', '..');

describe('the environment variables reference', () => {
  test('has a row for every variable of every schema a process reads, with its readers', () => {
    const html = environmentVariablesPage(environmentVariables()).html;
    const names = [RuntimeConfigSchema, StageProcessEnvSchema, LambdaEnvSchema].flatMap((s) => Object.keys(s.shape));
    expect(names.length).toBeGreaterThan(30);
    for (const name of names) expect(html).toContain(`<tr id="${name}"><td><code>${name}</code>`);
    for (const v of environmentVariables()) expect(html).toContain(escapeHtml(v.readBy.join(', ')));
  });

  test('shows a default where the loader gives one', () => {
    const html = environmentVariablesPage(environmentVariables()).html;
    expect(html).toMatch(/<tr id="AERIAL_METRICS">.*<code>none<\/code>/);
  });
});

describe('the MQTT reference', () => {
  const html = mqttPage().html;

  test('lists every topic helper with its topic', () => {
    for (const [name, value] of Object.entries(topics)) {
      expect(html).toContain(`id="topic-${name}"`);
      expect(html).toContain(escapeHtml(topicPattern(value)));
    }
    expect(html).toContain('aerial/v1/jobs/{jobId}/events');
  });

  test('lists every pipeline event type', () => {
    const types = eventTypes(toJsonSchema('PipelineEvent')).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['job.started', 'job.failed', 'stage.progress', 'job.published']));
    for (const type of types) expect(html).toContain(`<code>${type}</code>`);
  });
});

describe('the pipeline reference', () => {
  const html = pipelinePage(AERIAL_PIPELINE).html;

  test('has every stage, with its image, timeout and retry, and every preset', () => {
    for (const stage of AERIAL_PIPELINE.stages) {
      expect(html).toContain(`id="stage-${stage.name.toLowerCase()}"`);
      expect(html).toContain(`<code>${stage.image}</code>`);
      expect(html).toContain(`${stage.retry.attempts} attempts`);
      for (const role of stage.writes) expect(html).toContain(`<code>${role}</code>`);
    }
    for (const preset of PRESETS) expect(html).toContain(`id="preset-${preset}"`);
  });
});

describe('the products reference', () => {
  test('has every product with its published path', () => {
    const html = productsPage(PRODUCTS).html;
    for (const p of PRODUCTS) {
      expect(html).toContain(`id="product-${p.name}"`);
      expect(html).toContain(`<code>${p.path}</code>`);
    }
  });
});

describe('the errors reference', () => {
  test('gives every named error its meaning and remedy', () => {
    const html = errorsPage().html;
    for (const name of AERIAL_ERROR_NAMES) {
      expect(html).toContain(`>${name}</h2>`);
      expect(html).toContain(escapeHtml(AERIAL_ERRORS[name].meaning));
      expect(html).toContain(escapeHtml(AERIAL_ERRORS[name].remedy));
    }
  });
});

/** A test of a page made by running a built app; skipped, saying how to build it, when it is not built. */
function withBuilt(program: BuiltProgram, title: string, fn: (output: string) => void): void {
  if (isBuilt(repoRoot, program)) test(title, () => fn(runBuiltProgram(repoRoot, program)));
  else
    test.skip(`${title} (skipped: ${BUILT_PROGRAMS[program].file} is not built; run "pnpm nx run-many -t build")`, () => {});
}

describe('the CLI reference', () => {
  withBuilt('cli', 'has every command and option the usage lists', (usage) => {
    const html = cliPage(usage).html;
    const commands = [...usage.matchAll(/^ {2}([a-z][a-z-]*)/gm)].map((m) => m[1] as string);
    const options = [...usage.matchAll(/^ {6}(--[a-z-]+)/gm)].map((m) => m[1] as string);
    expect(commands).toEqual(expect.arrayContaining(['process', 'status', 'engine']));
    expect(options).toContain('--preset');
    for (const command of commands) expect(html).toContain(`<h2 id="${command}"><code>aerial ${command}`);
    for (const option of options) expect(html).toContain(`<code>${option}`);
    expect(parseUsage(usage).map((c) => c.command)).toEqual(commands);
  });
});

describe('the REST API reference', () => {
  withBuilt('openApi', 'has every route of the OpenAPI document, with its responses', (output) => {
    const document = OpenApiDocumentSchema.parse(JSON.parse(output));
    const html = restApiPage(document).html;
    const routes = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
        .map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(routes).toEqual(expect.arrayContaining(['POST /api/jobs', 'GET /api/jobs/{jobId}']));
    for (const route of routes) expect(html).toContain(`<code>${escapeHtml(route)}</code></h3>`);
    for (const op of apiOperations(document)) {
      expect(html).toContain(`id="${operationId(op)}"`);
      for (const status of Object.keys(op.operation.responses ?? {})) expect(html).toContain(`<code>${status}</code>`);
    }
  });
});

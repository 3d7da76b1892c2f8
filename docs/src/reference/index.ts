import { environmentVariables, PRODUCTS } from '@aerial/contracts';
import { AERIAL_PIPELINE } from '@aerial/definition';
import type { Page } from '../site';
import { runBuiltProgram } from './built-programs';
import { cliPage } from './cli-page';
import { environmentVariablesPage } from './environment-variables-page';
import { errorsPage } from './errors-page';
import { mqttPage } from './mqtt-page';
import { pipelinePage } from './pipeline-page';
import { productsPage } from './products-page';
import { restApiPage } from './rest-api-page';

export { BUILT_PROGRAMS, isBuilt, runBuiltProgram, type BuiltProgram } from './built-programs';
export { cliPage, parseUsage } from './cli-page';
export { environmentVariablesPage } from './environment-variables-page';
export { errorsPage } from './errors-page';
export { mqttPage, topicPattern } from './mqtt-page';
export { pipelinePage } from './pipeline-page';
export { productsPage } from './products-page';
export { apiOperations, OpenApiDocumentSchema, operationId, restApiPage } from './rest-api-page';

/** The pages rendered from data in the packages (no app needs to be built for these). */
export function codeReferencePages(): Page[] {
  return [
    environmentVariablesPage(environmentVariables()),
    mqttPage(),
    pipelinePage(AERIAL_PIPELINE),
    productsPage(PRODUCTS),
    errorsPage(),
  ];
}

/** Every reference page, the CLI's and the REST API's from the built apps run as programs. */
export function referencePages(repoRoot: string): Page[] {
  return [
    ...codeReferencePages(),
    cliPage(runBuiltProgram(repoRoot, 'cli')),
    restApiPage(JSON.parse(runBuiltProgram(repoRoot, 'openApi')) as unknown),
  ];
}

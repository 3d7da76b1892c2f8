import type aslValidatorModule from 'asl-validator';
import { type AslDocument } from './render-asl';

/**
 * Validates an ASL document with asl-validator and refuses JSONata, which aws-local-stepfunctions
 * accepts and then runs silently wrong. Throws listing every problem.
 */
export function assertValidAsl(document: AslDocument): void {
  // asl-validator writes default QueryLanguage fields into what it is given.
  const copy = JSON.parse(JSON.stringify(document)) as AslDocument;
  // Required here, not at the top: every stage process loads this package, and only the engine validates.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const aslValidator = require('asl-validator') as typeof aslValidatorModule;
  const result = aslValidator(copy);
  const problems = result.isValid ? [] : result.errors.map((e) => `${e['Error code']}: ${e.Message}`);
  if (JSON.stringify(document).includes('"QueryLanguage":"JSONata"')) {
    problems.push('JSONata is not supported by the local engine: use JSONPath');
  }
  if (problems.length) throw new Error(`invalid state machine definition:\n- ${problems.join('\n- ')}`);
}

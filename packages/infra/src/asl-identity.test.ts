import {
  AERIAL_PIPELINE,
  assertValidAsl,
  renderAsl,
  substitute,
  type AslDocument,
  localSubstitutions,
} from '@aerial/definition';
import { DEFAULT_ENVIRONMENTS } from '@aerial/contracts';
import { deployedDefinition } from './pipeline/aerial-pipeline';
import { synthApp } from './test-support/synth';

/**
 * The state machine CDK deploys runs the very ASL the local engine runs: the same document, with
 * only the ARN placeholders filled differently and the environment's whole-job timeout.
 */
describe('ASL identity', () => {
  const { template } = synthApp();

  test.each(['dev', 'staging', 'prod'] as const)(
    '%s: DefinitionString is the local engine’s ASL, ARNs by substitution',
    (env) => {
      const machines = template(env, 'pipeline').findResources('AWS::StepFunctions::StateMachine');
      expect(Object.keys(machines)).toHaveLength(1);
      const props = Object.values(machines)[0]!.Properties as {
        DefinitionString: string;
        DefinitionSubstitutions: Record<string, unknown>;
      };
      const deployed = JSON.parse(props.DefinitionString) as AslDocument;
      expect(deployed).toEqual(renderAsl(deployedDefinition(DEFAULT_ENVIRONMENTS[env])));
      const { TimeoutSeconds: _timeout, ...states } = deployed;
      const { TimeoutSeconds: _local, ...localStates } = renderAsl(AERIAL_PIPELINE);
      expect(states).toEqual(localStates);
      expect(deployed.TimeoutSeconds).toBe(DEFAULT_ENVIRONMENTS[env].limits.jobTimeoutSeconds);

      const placeholders = [...props.DefinitionString.matchAll(/\$\{([A-Za-z0-9]+)\}/g)].map((m) => m[1]);
      expect(Object.keys(props.DefinitionSubstitutions).sort()).toEqual([...new Set(placeholders)].sort());
      expect(Object.keys(localSubstitutions(AERIAL_PIPELINE)).sort()).toEqual(
        Object.keys(props.DefinitionSubstitutions).sort(),
      );

      // Filled the way the local engine fills it, the deployed document is the one the engine runs.
      const local = localSubstitutions(AERIAL_PIPELINE);
      expect(substitute(deployed, local)).toEqual(
        substitute(renderAsl(deployedDefinition(DEFAULT_ENVIRONMENTS[env])), local),
      );
      expect(() => assertValidAsl(substitute(deployed, local))).not.toThrow();
    },
  );
});

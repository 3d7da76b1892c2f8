import { type Stage } from 'aws-cdk-lib';

/**
 * cdk-nag findings this design accepts, each with its reason. Filled in as synthesis reports them.
 */
export function acknowledgeEnvironmentFindings(_stage: Stage): void {}

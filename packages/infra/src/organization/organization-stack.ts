import { type EnvironmentName } from '@aerial/contracts';
import { Stack, type StackProps } from 'aws-cdk-lib';
import * as organizations from 'aws-cdk-lib/aws-organizations';
import { type Construct } from 'constructs';

export interface OrganizationStackProps extends StackProps {
  /** Root (or parent OU) id of the organization, from the management account. */
  readonly parentId: string;
  /** Owner email of each environment's account. */
  readonly accountEmails: Partial<Record<EnvironmentName, string>>;
}

/**
 * Optional: declares an organizational unit and one account per environment (procurement).
 * Deployed from the management account; every other stack takes its account from config.
 */
export class OrganizationStack extends Stack {
  readonly accounts: Partial<Record<EnvironmentName, organizations.CfnAccount>> = {};

  constructor(scope: Construct, id: string, props: OrganizationStackProps) {
    super(scope, id, props);
    const ou = new organizations.CfnOrganizationalUnit(this, 'Workloads', {
      name: 'aerial-workloads',
      parentId: props.parentId,
    });
    for (const [env, email] of Object.entries(props.accountEmails)) {
      if (!email) continue;
      this.accounts[env as EnvironmentName] = new organizations.CfnAccount(this, `${env}Account`, {
        accountName: `aerial-${env}`,
        email,
        parentIds: [ou.attrId],
      });
    }
  }
}

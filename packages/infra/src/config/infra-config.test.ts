import { DEFAULT_ENVIRONMENTS, deploymentNames } from '@aerial/contracts';
import { infraConfig } from './infra-config';

describe('infraConfig', () => {
  test('context overrides what is account-specific: the account, the alert addresses', () => {
    const { environment, settings } = infraConfig('dev', {
      environment: { account: '000000000000' },
      settings: { alertEmails: ['ops@example.org'] },
    });
    expect(environment.account).toBe('000000000000');
    expect(settings.alertEmails).toEqual(['ops@example.org']);
    expect(settings.mailDomain).toBe(deploymentNames('dev').mailDomain);
  });

  test('refuses a region the manifests were not made for, naming where the region is set', () => {
    expect(() => infraConfig('dev', { environment: { region: 'us-east-1' } })).toThrow(
      /region us-east-1 differs from .*DEFAULT_ENVIRONMENTS/,
    );
    expect(infraConfig('dev', { environment: { region: DEFAULT_ENVIRONMENTS.dev.region } }).environment.region).toBe(
      DEFAULT_ENVIRONMENTS.dev.region,
    );
  });

  test('a setting object is overridden one key at a time: naming admins keeps the node type', () => {
    const { settings } = infraConfig('staging', {
      settings: {
        cluster: { adminRoleArns: ['arn:aws:iam::000000000000:role/admin'] },
        github: { oidcProvider: 'existing' },
      },
    });
    expect(settings.cluster).toMatchObject({
      nodeInstanceType: infraConfig('staging').settings.cluster.nodeInstanceType,
      adminRoleArns: ['arn:aws:iam::000000000000:role/admin'],
      publicAccessCidrs: [],
    });
    expect(settings.github).toMatchObject({ owner: 'aerial-platform', oidcProvider: 'existing' });
  });
});

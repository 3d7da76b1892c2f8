import { DEFAULT_ENVIRONMENTS, EnvironmentConfigSchema } from './environment';

describe('environment config', () => {
  test('ships dev, staging and prod, prod protected', () => {
    expect(Object.keys(DEFAULT_ENVIRONMENTS)).toEqual(['dev', 'staging', 'prod']);
    expect(DEFAULT_ENVIRONMENTS.prod.protection).toEqual({
      deletionProtection: true,
      multiAz: true,
      manualApproval: true,
    });
    expect(DEFAULT_ENVIRONMENTS.dev.account).toBeUndefined();
  });

  test('refuses a per-job limit above the monthly budget', () => {
    const result = EnvironmentConfigSchema.safeParse({
      ...DEFAULT_ENVIRONMENTS.dev,
      budget: { monthlyUsd: 10, maxJobUsd: 20, alertEmails: [] },
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['budget', 'maxJobUsd']);
  });

  test('refuses prod without deletion protection', () => {
    const result = EnvironmentConfigSchema.safeParse({
      ...DEFAULT_ENVIRONMENTS.prod,
      protection: { deletionProtection: false, multiAz: true, manualApproval: true },
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/prod must keep deletion protection/);
  });

  test('refuses a malformed region and account id', () => {
    const result = EnvironmentConfigSchema.safeParse({ ...DEFAULT_ENVIRONMENTS.dev, region: 'Ireland', account: '12' });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.')).sort()).toEqual(['account', 'region']);
  });
});

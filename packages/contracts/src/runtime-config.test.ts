import { AerialError } from './errors';
import { loadRuntimeConfig, RuntimeConfigSchema } from './runtime-config';

describe('loadRuntimeConfig', () => {
  test('defaults select the embedded services', () => {
    expect(loadRuntimeConfig({})).toEqual({
      AERIAL_ENV: 'dev',
      AERIAL_DATA_DIR: '.aerial',
      LOG_LEVEL: 'info',
      AERIAL_MAIL: 'eml',
      AERIAL_MAIL_FROM: 'aerial@localhost',
      AERIAL_WEATHER: 'none',
      HUB_HOST: '127.0.0.1',
      HUB_PORT: 8080,
      HUB_RATE_LIMIT_PER_MINUTE: 600,
      HUB_REQUIRE_KEY_FOR_READS: false,
      ARGO_NAMESPACE: 'aerial-pipeline',
    });
  });

  test('HUB_REQUIRE_KEY_FOR_READS is true or false, nothing else', () => {
    expect(loadRuntimeConfig({ HUB_REQUIRE_KEY_FOR_READS: 'true' }).HUB_REQUIRE_KEY_FOR_READS).toBe(true);
    expect(loadRuntimeConfig({ HUB_REQUIRE_KEY_FOR_READS: 'false' }).HUB_REQUIRE_KEY_FOR_READS).toBe(false);
    expect(() => loadRuntimeConfig({ HUB_REQUIRE_KEY_FOR_READS: 'yes' })).toThrow(
      /HUB_REQUIRE_KEY_FOR_READS: must be true or false/,
    );
  });

  test('accepts real endpoints and treats empty variables as unset', () => {
    const config = loadRuntimeConfig({
      DATABASE_URL: 'postgres://aerial@127.0.0.1:5432/aerial',
      MQTT_URL: 'mqtt://127.0.0.1:1883',
      OBJECT_STORE: 's3://aerial-work/jobs',
      SFN_ENDPOINT: '',
    });
    expect(config.DATABASE_URL).toBe('postgres://aerial@127.0.0.1:5432/aerial');
    expect(config.SFN_ENDPOINT).toBeUndefined();
  });

  test('names every bad variable with what it must look like', () => {
    let caught: unknown;
    try {
      loadRuntimeConfig({ DATABASE_URL: 'mysql://x', MQTT_URL: 'not a url', AERIAL_ENV: 'qa', OBJECT_STORE: '/tmp/x' });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(AerialError);
    const error = caught as AerialError;
    expect(error.name).toBe('Aerial.InvalidInput');
    expect(error.reason).toMatch(/DATABASE_URL: must be a postgres: or postgresql: URL/);
    expect(error.reason).toMatch(/MQTT_URL: must be a mqtt:/);
    expect(error.reason).toMatch(/AERIAL_ENV: /);
    expect(error.reason).toMatch(/OBJECT_STORE: must be file:<folder> or s3:\/\/<bucket>/);
  });

  test('every variable left empty or blank means unset: the defaults apply', () => {
    const variables = Object.keys(RuntimeConfigSchema.shape);
    expect(loadRuntimeConfig(Object.fromEntries(variables.map((v) => [v, ''])))).toEqual(loadRuntimeConfig({}));
    expect(loadRuntimeConfig(Object.fromEntries(variables.map((v) => [v, '  '])))).toEqual(loadRuntimeConfig({}));
  });

  test('a bad number or namespace is one line naming the variable and an example, not a schema dump', () => {
    let caught: unknown;
    try {
      loadRuntimeConfig({ HUB_PORT: 'eighty', HUB_RATE_LIMIT_PER_MINUTE: '0', ARGO_NAMESPACE: 'Aerial_NS' });
    } catch (e) {
      caught = e;
    }
    const error = caught as AerialError;
    expect(error.name).toBe('Aerial.InvalidInput');
    expect(error.message).not.toMatch(/\n|"code"|expected number/);
    expect(error.reason).toMatch(/HUB_PORT: must be a port number from 0 to 65535 such as 8080/);
    expect(error.reason).toMatch(/HUB_RATE_LIMIT_PER_MINUTE: must be a whole number of at least 1 such as 600/);
    expect(error.reason).toMatch(/ARGO_NAMESPACE: must be a Kubernetes namespace/);
    expect(error.remedy).toMatch(/leave it empty for its default/);
  });

  test.each([
    ['HUB_PORT', '0x50'],
    ['HUB_PORT', '8e3'],
    ['HUB_PORT', '80.5'],
    ['HUB_RATE_LIMIT_PER_MINUTE', 'Infinity'],
    ['DATABASE_URL', 'postgres://'],
    ['MQTT_URL', 'mqtt://'],
  ])('%s=%s is refused, not read as something else (issue 18)', (name, value) => {
    expect(() => loadRuntimeConfig({ [name]: value })).toThrow(new RegExp(`${name}: must be`));
  });

  test('numbers are read from plain decimal text, spaces trimmed', () => {
    expect(loadRuntimeConfig({ HUB_PORT: ' 8081 ', HUB_RATE_LIMIT_PER_MINUTE: '1200' })).toMatchObject({
      HUB_PORT: 8081,
      HUB_RATE_LIMIT_PER_MINUTE: 1200,
    });
  });
});

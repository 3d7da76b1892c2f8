import { loadRuntimeConfig } from '@aerial/contracts';
import { resolve } from 'node:path';
import { engineEnvironment, loadHubConfig } from './config';

describe('the Hub configuration', () => {
  test('the data directory is made absolute on the loaded config, not in the environment', () => {
    const env = { AERIAL_DATA_DIR: 'relative/data' };
    expect(loadHubConfig(env).AERIAL_DATA_DIR).toBe(resolve('relative/data'));
    expect(env.AERIAL_DATA_DIR).toBe('relative/data');
    expect(loadHubConfig({}).AERIAL_DATA_DIR).toBe(resolve('.aerial'));
  });

  test('a bad variable stops start-up with its name', () => {
    expect(() => loadHubConfig({ HUB_PORT: 'eighty' })).toThrow(/HUB_PORT/);
  });

  test("the engine's environment: the host's variables, the settings given (as the Hub read them), the Hub's choices", () => {
    const env = {
      PATH: '/usr/bin',
      HOME: '/home/op',
      AERIAL_SPLAT_TRAINER: '/opt/trainer',
      AERIAL_FAULT_PLAN: '{}',
      AWS_REGION: 'eu-west-1',
      COLMAP_BINARY: '/opt/colmap',
      AERIAL_DATA_DIR: 'data',
      LOG_LEVEL: 'debug',
      HUB_PORT: ' 8081 ',
      MQTT_URL: 'mqtt://broker:1883',
      DATABASE_PASSWORD_OF_SOMETHING_ELSE: 'secret',
      npm_config_user_agent: 'pnpm',
    };
    const config = loadHubConfig(env);
    const child = engineEnvironment(config, { MQTT_URL: 'mqtt://engine:pw@127.0.0.1:1', OBJECT_STORE: 'file:/x' }, env);
    expect(child).toEqual({
      PATH: '/usr/bin',
      HOME: '/home/op',
      AERIAL_SPLAT_TRAINER: '/opt/trainer',
      AERIAL_FAULT_PLAN: '{}',
      AWS_REGION: 'eu-west-1',
      COLMAP_BINARY: '/opt/colmap',
      AERIAL_DATA_DIR: resolve('data'),
      LOG_LEVEL: 'debug',
      HUB_PORT: '8081',
      MQTT_URL: 'mqtt://engine:pw@127.0.0.1:1',
      OBJECT_STORE: 'file:/x',
      // Not ours: inherited as every child process inherits it (a GPU trainer needs CUDA_*, ...).
      DATABASE_PASSWORD_OF_SOMETHING_ELSE: 'secret',
      npm_config_user_agent: 'pnpm',
    });
    // The child's own loader reads it as the Hub did, defaults included.
    expect(loadRuntimeConfig(child)).toMatchObject({
      AERIAL_DATA_DIR: resolve('data'),
      LOG_LEVEL: 'debug',
      AERIAL_MAIL_FROM: config.AERIAL_MAIL_FROM,
    });
  });
});

import { describe, expect, it } from 'vitest';
import { EngineRunner, type ExecFn, engineEnv } from './runner.ts';

const parent = {
  PATH: '/usr/bin',
  HOME: '/home/runner',
  AWS_PROFILE: 'prod-admin',
  AWS_ACCESS_KEY_ID: 'AKIAAMBIENT',
  GOOGLE_APPLICATION_CREDENTIALS: '/somewhere.json',
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'req-token',
  ACTIONS_ID_TOKEN_REQUEST_URL: 'https://x',
  ACTIONS_RUNTIME_TOKEN: 'rt',
  GITHUB_TOKEN: 'ghs_x',
  INPUT_GITHUB_TOKEN: 'ghs_y',
  TF_CLI_ARGS_apply: '-auto-approve',
  TF_VAR_account: '1',
  TF_LOG: 'INFO',
};

describe('engineEnv', () => {
  it('federated: only the session credentials reach the engine, and no runner tokens', () => {
    const env = engineEnv({
      parent,
      credentials: { AWS_ACCESS_KEY_ID: 'ASIASESSION', AWS_SECRET_ACCESS_KEY: 's', AWS_SESSION_TOKEN: 't' },
      isolateCredentials: true,
      dataDir: '/tmp/d',
      pluginCacheDir: '/tmp/c',
      extra: { TF_VAR_idlc: '{}' },
    });
    expect(env['AWS_ACCESS_KEY_ID']).toBe('ASIASESSION');
    for (const k of [
      'AWS_PROFILE',
      'GOOGLE_APPLICATION_CREDENTIALS',
      'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
      'ACTIONS_ID_TOKEN_REQUEST_URL',
      'ACTIONS_RUNTIME_TOKEN',
      'GITHUB_TOKEN',
      'INPUT_GITHUB_TOKEN',
      'TF_CLI_ARGS_apply',
      'TF_VAR_account',
    ]) {
      expect(env[k], k).toBeUndefined();
    }
    expect(env).toMatchObject({
      TF_IN_AUTOMATION: '1',
      TF_INPUT: '0',
      TF_DATA_DIR: '/tmp/d',
      TF_PLUGIN_CACHE_DIR: '/tmp/c',
      TF_VAR_idlc: '{}',
      TF_LOG: 'INFO',
      HOME: '/home/runner',
    });
  });

  it('ambient (CLI): keeps the user own credentials, still drops runner tokens', () => {
    const env = engineEnv({ parent, credentials: {}, isolateCredentials: false, dataDir: '/d' });
    expect(env['AWS_PROFILE']).toBe('prod-admin');
    expect(env['GITHUB_TOKEN']).toBeUndefined();
  });
});

describe('EngineRunner', () => {
  const fake =
    (answers: Record<string, { code: number; stdout?: string; stderr?: string }>): ExecFn =>
    async (_cmd, args) => ({ stdout: '', stderr: '', ms: 1, ...(answers[args[0] ?? ''] ?? { code: 0 }) });
  const runner = (exec: ExecFn) =>
    new EngineRunner({ engine: { name: 'tofu', version: '1.12.6' }, stackId: 's', cwd: '/', env: {}, exec });

  it('maps -detailed-exitcode and refuses other versions', async () => {
    expect(await runner(fake({ plan: { code: 2 } })).plan('/p')).toBe(true);
    expect(await runner(fake({ plan: { code: 0 } })).plan('/p')).toBe(false);
    await expect(
      runner(fake({ version: { code: 0, stdout: '{"terraform_version":"1.11.0"}' } })).checkVersion(),
    ).rejects.toThrow(/tofu 1\.11\.0 is installed but idlc\.yaml pins tofu 1\.12\.6/);
  });

  it('reports an engine that is not installed', async () => {
    const missing: ExecFn = async () => ({
      code: -1,
      stdout: '',
      stderr: '',
      ms: 0,
      spawnError: Object.assign(new Error('spawn tofu ENOENT'), { code: 'ENOENT' }),
    });
    await expect(runner(missing).checkVersion()).rejects.toThrow(/"tofu" is not installed/);
  });
});

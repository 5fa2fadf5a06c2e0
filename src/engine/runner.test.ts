import { describe, expect, it } from 'vitest';
import { EngineRunner, type ExecFn, engineEnv } from './runner.ts';

/** What a GitHub runner (or a laptop) hands the action: most of it must never reach the engine. */
const parent = {
  PATH: '/usr/bin',
  HOME: '/home/runner',
  IDLC_TOOLS_DIR: '/opt/idlc-tools',
  LANG: 'C.UTF-8',
  LC_ALL: 'C.UTF-8',
  TZ: 'UTC',
  SSL_CERT_FILE: '/etc/ssl/certs/ca-certificates.crt',
  HTTPS_PROXY: 'http://proxy.internal:3128',
  NO_PROXY: '169.254.169.254',
  AWS_PROFILE: 'prod-admin',
  AWS_ACCESS_KEY_ID: 'AKIAAMBIENT',
  AWS_CONFIG_FILE: '/home/runner/.aws/config',
  GOOGLE_APPLICATION_CREDENTIALS: '/somewhere.json',
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'req-token',
  ACTIONS_ID_TOKEN_REQUEST_URL: 'https://x',
  ACTIONS_RUNTIME_TOKEN: 'rt',
  ACTIONS_CACHE_URL: 'https://cache',
  GITHUB_TOKEN: 'ghs_x',
  GH_TOKEN: 'ghs_z',
  GITHUB_ENV: '/home/runner/work/_temp/_runner_file_commands/set_env_1',
  GITHUB_OUTPUT: '/home/runner/work/_temp/_runner_file_commands/set_output_1',
  GITHUB_PATH: '/home/runner/work/_temp/_runner_file_commands/add_path_1',
  GITHUB_STATE: '/home/runner/work/_temp/_runner_file_commands/save_state_1',
  GITHUB_WORKSPACE: '/home/runner/work/infra/infra',
  RUNNER_TEMP: '/home/runner/work/_temp',
  INPUT_GITHUB_TOKEN: 'ghs_y',
  NODE_OPTIONS: '--require /tmp/evil.js',
  TF_CLI_ARGS_apply: '-auto-approve',
  TF_CLI_CONFIG_FILE: '/home/runner/work/infra/infra/evil.tfrc',
  TF_REATTACH_PROVIDERS: '{"registry.opentofu.org/hashicorp/aws":{}}',
  TF_VAR_account: '1',
  TF_WORKSPACE: 'other',
  TF_LOG: 'TRACE',
  TF_LOG_PATH: '/tmp/tf.log',
  TF_TOKEN_app_terraform_io: 'registry-token',
};

describe('engineEnv (an allow-list)', () => {
  it('federated (CI): exactly the allowed keys, the session credentials and nothing of the runner', () => {
    const env = engineEnv({
      parent,
      credentials: { AWS_ACCESS_KEY_ID: 'ASIASESSION', AWS_SECRET_ACCESS_KEY: 's', AWS_SESSION_TOKEN: 't' },
      isolateCredentials: true,
      runDir: '/tmp/run',
      dataDir: '/tmp/run/data',
      pluginCacheDir: '/tmp/c',
      cliConfigFile: '/opt/idlc-tools/tofurc',
      extra: { TF_VAR_idlc: '{}' },
    });
    expect(env).toEqual({
      PATH: '/opt/idlc-tools/bin:/opt/idlc-tools/venv/bin:/usr/bin',
      HOME: '/tmp/run/home',
      TMPDIR: '/tmp/run/tmp',
      LANG: 'C.UTF-8',
      LC_ALL: 'C.UTF-8',
      TZ: 'UTC',
      SSL_CERT_FILE: '/etc/ssl/certs/ca-certificates.crt',
      HTTPS_PROXY: 'http://proxy.internal:3128',
      NO_PROXY: '169.254.169.254',
      AWS_ACCESS_KEY_ID: 'ASIASESSION',
      AWS_SECRET_ACCESS_KEY: 's',
      AWS_SESSION_TOKEN: 't',
      TF_IN_AUTOMATION: '1',
      TF_INPUT: '0',
      CHECKPOINT_DISABLE: '1',
      TF_DATA_DIR: '/tmp/run/data',
      TF_PLUGIN_CACHE_DIR: '/tmp/c',
      TF_CLI_CONFIG_FILE: '/opt/idlc-tools/tofurc',
      TF_VAR_idlc: '{}',
    });
    for (const k of [
      'GH_TOKEN',
      'GITHUB_TOKEN',
      'GITHUB_ENV',
      'GITHUB_OUTPUT',
      'GITHUB_PATH',
      'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
      'ACTIONS_RUNTIME_TOKEN',
      'RUNNER_TEMP',
      'INPUT_GITHUB_TOKEN',
      'NODE_OPTIONS',
      'TF_LOG',
      'TF_LOG_PATH',
      'TF_REATTACH_PROVIDERS',
      'TF_CLI_ARGS_apply',
      'TF_VAR_account',
      'TF_WORKSPACE',
      'AWS_PROFILE',
      'AWS_CONFIG_FILE',
      'GOOGLE_APPLICATION_CREDENTIALS',
      'TF_TOKEN_app_terraform_io',
    ]) {
      expect(env[k], k).toBeUndefined();
    }
  });

  it('never inherits TF_CLI_CONFIG_FILE: without the toolkit own config there is none', () => {
    const env = engineEnv({
      parent,
      credentials: {},
      isolateCredentials: true,
      runDir: '/r',
      dataDir: '/r/d',
    });
    expect(env['TF_CLI_CONFIG_FILE']).toBeUndefined();
    expect(env['TF_PLUGIN_CACHE_DIR']).toBeUndefined();
    expect(env['HOME']).toBe('/r/home');
  });

  it('ambient (laptop, federated: false): the user own cloud config and registry token, still no runner tokens', () => {
    const env = engineEnv({
      parent,
      credentials: {},
      isolateCredentials: false,
      runDir: '/r',
      dataDir: '/r/d',
    });
    expect(env['AWS_PROFILE']).toBe('prod-admin');
    expect(env['AWS_ACCESS_KEY_ID']).toBe('AKIAAMBIENT');
    expect(env['AWS_CONFIG_FILE']).toBe('/home/runner/.aws/config');
    expect(env['GOOGLE_APPLICATION_CREDENTIALS']).toBe('/somewhere.json');
    expect(env['TF_TOKEN_app_terraform_io']).toBe('registry-token');
    for (const k of [
      'GITHUB_TOKEN',
      'GH_TOKEN',
      'GITHUB_ENV',
      'ACTIONS_RUNTIME_TOKEN',
      'TF_LOG',
      'NODE_OPTIONS',
    ]) {
      expect(env[k], k).toBeUndefined();
    }
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

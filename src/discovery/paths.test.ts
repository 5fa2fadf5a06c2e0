import { describe, expect, it } from 'vitest';
import { appDir, baseDir, pinsPath } from '../sdlc/layout.ts';
import {
  appOfPath,
  cloudOfRoot,
  manifestsFolderOf,
  parseStackId,
  posixRelative,
  repoRelative,
  stackFolderOf,
  stackId,
  stackRootOf,
} from './paths.ts';

const ROOTS = ['idlc/aws/environments', 'idlc/gcp/environments'];

describe('stack paths', () => {
  it('a folder below a stack root is <team>/<env>[/<stack>]', () => {
    expect(stackFolderOf(ROOTS, 'idlc/aws/environments/search/dev')).toEqual({
      root: 'idlc/aws/environments',
      cloud: 'aws',
      team: 'search',
      env: 'dev',
      name: '',
      envDir: 'idlc/aws/environments/search/dev',
    });
    expect(stackFolderOf(ROOTS, 'idlc/gcp/environments/platform/prod/network/vpc')).toEqual({
      root: 'idlc/gcp/environments',
      cloud: 'gcp',
      team: 'platform',
      env: 'prod',
      name: 'network/vpc',
      envDir: 'idlc/gcp/environments/platform/prod',
    });
  });

  it('above an env folder, outside the roots, or beside a root is no stack folder', () => {
    expect(stackFolderOf(ROOTS, 'idlc/aws/environments/search')).toBeUndefined();
    expect(stackFolderOf(ROOTS, 'idlc/aws/environments')).toBeUndefined();
    expect(stackFolderOf(ROOTS, 'idlc/aws/modules/network')).toBeUndefined();
    expect(stackFolderOf(ROOTS, 'idlc/aws/environments-old/search/dev')).toBeUndefined();
    expect(stackFolderOf(ROOTS, 'idlc/aws/environments//dev')).toBeUndefined();
  });

  it('stack ids are <cloud>/<team>/<env>[/<stack>], both ways', () => {
    expect(stackId({ cloud: 'aws', team: 'search', env: 'dev', name: '' })).toBe('aws/search/dev');
    expect(stackId({ cloud: 'gcp', team: 'platform', env: 'prod', name: 'network/vpc' })).toBe(
      'gcp/platform/prod/network/vpc',
    );
    expect(parseStackId('aws/platform/dev/network')).toEqual({
      cloud: 'aws',
      team: 'platform',
      env: 'dev',
      name: 'network',
    });
    expect(parseStackId('aws/search/dev')).toEqual({ cloud: 'aws', team: 'search', env: 'dev', name: '' });
    expect(parseStackId('aws/search')).toBeUndefined();
    expect(parseStackId('aws//dev')).toBeUndefined();
  });

  it('the cloud of a root is its aws or gcp segment; new teams go to the first root of the cloud', () => {
    expect(cloudOfRoot('idlc/aws/environments')).toBe('aws');
    expect(cloudOfRoot('infra/gcp')).toBe('gcp');
    expect(cloudOfRoot('stacks')).toBeUndefined();
    expect(stackRootOf(['stacks/gcp', 'stacks/aws', 'legacy/aws'], 'aws')).toBe('stacks/aws');
    expect(stackRootOf(['stacks/gcp'], 'aws')).toBeUndefined();
  });
});

describe('sdlc paths', () => {
  it('team folders: the team, its base, an env, an app of either', () => {
    expect(manifestsFolderOf('sdlc/teams/search')).toEqual({ area: 'teams', team: 'search', base: false });
    expect(manifestsFolderOf('sdlc/teams/search/prod')).toEqual({
      area: 'teams',
      team: 'search',
      env: 'prod',
      base: false,
    });
    expect(manifestsFolderOf('sdlc/teams/search/prod/api/patches')).toEqual({
      area: 'teams',
      team: 'search',
      env: 'prod',
      base: false,
      app: 'api',
    });
    expect(manifestsFolderOf('sdlc/teams/search/base')).toEqual({
      area: 'teams',
      team: 'search',
      base: true,
    });
    expect(manifestsFolderOf('sdlc/teams/search/base/api')).toEqual({
      area: 'teams',
      team: 'search',
      base: true,
      app: 'api',
    });
  });

  it('platform folders, and folders outside the layout', () => {
    expect(manifestsFolderOf('sdlc/platform')).toEqual({ area: 'platform' });
    expect(manifestsFolderOf('sdlc/platform/karpenter')).toEqual({
      area: 'platform',
      component: 'karpenter',
    });
    expect(manifestsFolderOf('sdlc/teams')).toBeUndefined();
    expect(manifestsFolderOf('sdlc/argocd/dev')).toBeUndefined();
    expect(manifestsFolderOf('sdlc')).toBeUndefined();
    expect(manifestsFolderOf('')).toBeUndefined();
    expect(manifestsFolderOf('idlc/teams/search')).toBeUndefined();
  });

  it('the app of a file: in an env overlay only, never in base', () => {
    expect(appOfPath('sdlc/teams/search/dev/api/kustomization.yaml')).toEqual({
      team: 'search',
      env: 'dev',
      app: 'api',
    });
    expect(appOfPath('sdlc/teams/search/dev/api/patches/replicas.yaml')).toEqual({
      team: 'search',
      env: 'dev',
      app: 'api',
    });
    expect(appOfPath('sdlc/teams/search/base/api/kustomization.yaml')).toBeUndefined();
    expect(appOfPath('sdlc/teams/search/dev/kustomization.yaml')).toBeUndefined();
    expect(appOfPath('sdlc/teams/search/dev/api')).toBeUndefined();
  });

  it('reads back what src/sdlc/layout.ts builds', () => {
    const ref = { team: 'search', env: 'staging', app: 'rag' };
    expect(appOfPath(pinsPath(ref))).toEqual(ref);
    expect(manifestsFolderOf(appDir(ref))).toEqual({ area: 'teams', ...ref, base: false });
    expect(manifestsFolderOf(baseDir('search', 'rag'))).toEqual({
      area: 'teams',
      team: 'search',
      base: true,
      app: 'rag',
    });
  });
});

describe('repository-relative paths', () => {
  it('inside the root, with / separators; outside is undefined', () => {
    expect(repoRelative('/repo', '/repo/idlc/aws/environments/search/dev')).toBe(
      'idlc/aws/environments/search/dev',
    );
    expect(repoRelative('/repo', '/repo')).toBe('');
    expect(repoRelative('/repo', '/repo/..hidden/plan.json')).toBe('..hidden/plan.json');
    expect(repoRelative('/repo', '/elsewhere/plan.json')).toBeUndefined();
    expect(repoRelative('/repo', '/repo-old/plan.json')).toBeUndefined();
    expect(repoRelative('/repo', '/')).toBeUndefined();
  });

  it('for messages, the relative path even outside', () => {
    expect(posixRelative('/repo', '/repo/a/b.json')).toBe('a/b.json');
    expect(posixRelative('/repo', '/repo')).toBe('.');
    expect(posixRelative('/repo', '/elsewhere/plan.json')).toBe('../elsewhere/plan.json');
  });
});

import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REGISTRY_YAML, stackFiles } from '../../test/support/registry-fixture.ts';
import { loadRegistry } from '../config/load.ts';
import { UsageError } from '../util/errors.ts';
import { findStack, StackLocator } from './locate.ts';
import { discoverStacks } from './stacks.ts';

const E = 'idlc/aws/environments';
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A repository at <tmp>/repo with an env-folder stack, a stack nested in it, and a platform stack. */
async function fixture() {
  const parent = mkdtempSync(join(tmpdir(), 'idlc-locate-'));
  dirs.push(parent);
  const root = join(parent, 'repo');
  const files = {
    'idlc.yaml': REGISTRY_YAML,
    ...stackFiles(`${E}/search/dev`),
    ...stackFiles(`${E}/search/dev/rag`),
    ...stackFiles(`${E}/platform/dev/network`),
    'idlc/aws/modules/vpc/main.tf': '',
  };
  for (const [p, c] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), c);
  }
  const stacks = await discoverStacks(await loadRegistry(root));
  return { parent, root, stacks, locator: new StackLocator(stacks) };
}

describe('StackLocator', () => {
  it('by id and by folder', async () => {
    const { locator, stacks } = await fixture();
    expect(stacks.map((s) => [s.id, s.dir])).toEqual([
      ['aws/platform/dev/network', `${E}/platform/dev/network`],
      ['aws/search/dev', `${E}/search/dev`],
      ['aws/search/dev/rag', `${E}/search/dev/rag`],
    ]);
    expect(locator.byId('aws/search/dev/rag')?.dir).toBe(`${E}/search/dev/rag`);
    expect(locator.byId('aws/search/prod')).toBeUndefined();
    expect(locator.byDir(`${E}/search/dev`)?.id).toBe('aws/search/dev');
    expect(locator.byDir(`${E}/search/dev/`)?.id).toBe('aws/search/dev');
    expect(locator.byDir(`./${E}/platform/dev/network`)?.id).toBe('aws/platform/dev/network');
    expect(locator.byDir(`${E}/platform/dev`)).toBeUndefined();
  });

  it('by file: the deepest stack folder above it; none outside every stack', async () => {
    const { locator } = await fixture();
    expect(locator.ofFile(`${E}/search/dev/main.tf`)?.id).toBe('aws/search/dev');
    expect(locator.ofFile(`${E}/search/dev/rag/main.tf`)?.id).toBe('aws/search/dev/rag');
    expect(locator.ofFile(`${E}/search/dev/rag/.terraform/plan.json`)?.id).toBe('aws/search/dev/rag');
    expect(locator.ofFile(`${E}/search/dev/templates/user-data.sh`)?.id).toBe('aws/search/dev');
    expect(locator.ofFile(`${E}/platform/dev/README.md`)).toBeUndefined();
    expect(locator.ofFile('idlc/aws/modules/vpc/main.tf')).toBeUndefined();
    expect(locator.ofFile('main.tf')).toBeUndefined();
  });

  it('named on the command line: id, folder from the cwd, folder from the root, "."', async () => {
    const { locator, root } = await fixture();
    const inSearch = { root, cwd: join(root, E, 'search') };
    expect(locator.named('aws/platform/dev/network', inSearch)?.dir).toBe(`${E}/platform/dev/network`);
    expect(locator.named('dev/rag', inSearch)?.id).toBe('aws/search/dev/rag');
    expect(locator.named(`${E}/platform/dev/network`, inSearch)?.id).toBe('aws/platform/dev/network');
    expect(locator.named('.', { root, cwd: join(root, E, 'search/dev') })?.id).toBe('aws/search/dev');
    expect(locator.named('../platform/dev/network', inSearch)?.id).toBe('aws/platform/dev/network');
    expect(locator.named('prod', inSearch)).toBeUndefined();
  });

  it('a file outside the root (.. escapes) belongs to no stack, a folder named ..x is inside', async () => {
    const { locator, root, parent } = await fixture();
    // Same relative layout beside the repository: lexically "../repo-copy/...", never a stack.
    const beside = join(parent, 'repo-copy', E, 'search/dev/plan.json');
    mkdirSync(dirname(beside), { recursive: true });
    writeFileSync(beside, '{}');
    expect(locator.holding(root, beside)).toBeUndefined();
    expect(locator.holding(root, join(root, '..', 'repo', E, 'search/dev/plan.json'))?.id).toBe(
      'aws/search/dev',
    );
    expect(locator.named(`../repo-copy/${E}/search/dev`, { root, cwd: root })).toBeUndefined();
    expect(locator.holding(join(root, E, 'search'), join(root, E, 'search/dev/plan.json'))).toBeUndefined();
    expect(locator.holding(root, join(root, '..plans/plan.json'))).toBeUndefined();
    expect(locator.holding(root, join(root, E, 'search/dev/..plans/plan.json'))?.id).toBe('aws/search/dev');
  });

  it('symlinks: a repository reached through a link, and a link inside it to a stack folder', async () => {
    const { locator, root, parent } = await fixture();
    const linkedRoot = join(parent, 'linked-repo');
    symlinkSync(root, linkedRoot);
    // The root as given (through the link) and the file as the shell resolved it, and back.
    expect(locator.holding(linkedRoot, join(root, E, 'search/dev/rag/plan.json'))?.id).toBe(
      'aws/search/dev/rag',
    );
    expect(locator.holding(root, join(linkedRoot, E, 'search/dev/plan.json'))?.id).toBe('aws/search/dev');
    symlinkSync(join(root, E, 'platform/dev/network'), join(root, 'network'));
    expect(locator.named('network', { root, cwd: root })?.id).toBe('aws/platform/dev/network');
    // A link inside the repository to a folder outside it leads nowhere.
    symlinkSync(parent, join(root, 'up'));
    expect(locator.named(`up/repo-copy/${E}/search/dev`, { root, cwd: root })).toBeUndefined();
  });
});

describe('findStack', () => {
  it('returns the stack, or says what the value is not and lists ids', async () => {
    const { stacks, root } = await fixture();
    expect(findStack(stacks, 'aws/search/dev', { root, cwd: root }).dir).toBe(`${E}/search/dev`);
    const err = (() => {
      try {
        findStack(stacks, 'aws/search/qa', { root, cwd: root, option: '--stack' });
      } catch (e) {
        return e as UsageError;
      }
    })();
    expect(err).toBeInstanceOf(UsageError);
    expect(err?.message).toBe(
      '--stack aws/search/qa is neither a stack id nor a stack folder\n' +
        '  fix: use one of: aws/platform/dev/network, aws/search/dev, aws/search/dev/rag (idlc stacks lists them all)',
    );
    expect(() => findStack(stacks, 'nowhere', { root, cwd: root })).toThrow(
      '"nowhere" is neither a stack id nor a stack folder',
    );
  });
});

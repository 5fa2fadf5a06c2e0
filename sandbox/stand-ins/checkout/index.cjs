// idlc sandbox stand-in for actions/checkout (see ../README.md). No dependencies.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const input = (name) => (process.env[`INPUT_${name.toUpperCase()}`] ?? '').trim();
const env = process.env;

function git(cwd, args, extraHeader) {
  const full = extraHeader ? ['-c', `http.extraheader=${extraHeader}`, ...args] : args;
  console.log(`[command]git ${args.join(' ')}`);
  try {
    return execFileSync('git', full, {
      cwd,
      env: { ...env, GIT_TERMINAL_PROMPT: '0' },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
      .toString('utf8')
      .trim();
  } catch (err) {
    // the message of a failed exec names the command line, header included: never print it
    throw new Error(`git ${args[0]} failed (exit ${err.status ?? '?'})`);
  }
}

function remoteRef(ref) {
  if (ref.startsWith('refs/heads/')) return `refs/remotes/origin/${ref.slice('refs/heads/'.length)}`;
  if (ref.startsWith('refs/pull/')) return `refs/remotes/pull/${ref.slice('refs/pull/'.length)}`;
  if (ref.startsWith('refs/tags/')) return ref;
  return `refs/remotes/origin/${ref}`;
}

function main() {
  const workspace = env.GITHUB_WORKSPACE;
  if (!workspace) throw new Error('GITHUB_WORKSPACE is not set');
  const repository = input('repository') || env.GITHUB_REPOSITORY;
  const dest = path.resolve(workspace, input('path') || '.');
  if (dest !== workspace && !dest.startsWith(`${workspace}${path.sep}`)) {
    throw new Error(`path ${input('path')} is outside the workspace`);
  }
  const url = `${env.GITHUB_SERVER_URL}/${repository}`;
  const token = input('token');
  if (token) console.log(`::add-mask::${token}`);
  const header = token
    ? `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`
    : undefined;
  const depth = Number(input('fetch-depth') || '1');

  let ref = input('ref');
  let commit = '';
  if (!ref) {
    if (repository === env.GITHUB_REPOSITORY) {
      ref = env.GITHUB_REF ?? '';
      commit = env.GITHUB_SHA ?? '';
    }
  } else if (/^[0-9a-f]{40}$/.test(ref)) {
    commit = ref;
    ref = '';
  } else if (!ref.startsWith('refs/')) {
    ref = `refs/heads/${ref}`;
  }
  if (!ref && !commit) throw new Error('nothing to check out: no ref and no sha');

  console.log(
    `::group::sandbox checkout ${repository}@${ref || commit} into ${path.relative(workspace, dest) || '.'}`,
  );
  fs.mkdirSync(dest, { recursive: true });
  if (input('clean') !== 'false') {
    for (const entry of fs.readdirSync(dest))
      fs.rmSync(path.join(dest, entry), { recursive: true, force: true });
  }
  git(dest, ['init', '-q']);
  git(dest, ['remote', 'add', 'origin', url]);
  const target = ref ? remoteRef(ref) : 'refs/remotes/origin/HEAD-sha';
  const specs = [];
  if (depth === 0) specs.push('+refs/heads/*:refs/remotes/origin/*', '+refs/tags/*:refs/tags/*');
  // all branches are fetched already with fetch-depth 0; a sha of one is then checked out by sha
  if (!(depth === 0 && ref.startsWith('refs/heads/'))) specs.push(`+${commit || ref}:${target}`);
  git(
    dest,
    [
      'fetch',
      '--quiet',
      '--no-tags',
      '--prune',
      ...(depth > 0 ? [`--depth=${depth}`] : []),
      'origin',
      ...specs,
    ],
    header,
  );
  if (ref.startsWith('refs/heads/')) {
    const branch = ref.slice('refs/heads/'.length);
    git(dest, ['checkout', '-q', '--force', '-B', branch, commit || target]);
  } else {
    git(dest, ['checkout', '-q', '--force', '--detach', target]);
  }
  if (input('persist-credentials') !== 'false' && header) {
    git(dest, ['config', '--local', `http.${env.GITHUB_SERVER_URL}/.extraheader`, header]);
  }
  const head = git(dest, ['rev-parse', 'HEAD']);
  console.log(`checked out ${head}`);
  console.log('::endgroup::');
  if (env.GITHUB_OUTPUT) {
    fs.appendFileSync(env.GITHUB_OUTPUT, `ref=${ref}\ncommit=${head}\n`);
  }
}

try {
  main();
} catch (err) {
  console.log(`::error::sandbox checkout: ${err.message}`);
  process.exitCode = 1;
}

#!/usr/bin/env node
// Detection benchmark: idlc vs Terramate on the same generated monorepo, side by side in one
// process, so machine load affects both alike. Reports medians and the ratio.
//
//   npm run build && node bench/detect/run.mjs [--runs 5] [--dir bench/.work/detect-repo]
//   TERRAMATE_BIN=/path/to/terramate node bench/detect/run.mjs   # include the peer
//
// Scenarios: one stack file; one leaf module used by many stacks (three module levels up);
// 500 files scattered over stacks and modules.
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const RUNS = Number(opt('runs', '5'));
const dir = resolve(opt('dir', join(root, 'bench', '.work', 'detect-repo')));
const cli = join(root, 'bin', 'idlc.mjs');
const terramate = process.env.TERRAMATE_BIN;

if (!existsSync(join(root, 'dist', 'cli', 'idlc.cjs'))) {
  console.error('build first: npm run build');
  process.exit(2);
}
if (!existsSync(join(dir, 'idlc.yaml'))) {
  execFileSync(process.execPath, [join(root, 'bench', 'detect', 'gen.mjs'), dir], { stdio: 'inherit' });
}
const git = (...a) => execFileSync('git', a, { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 28 }).trim();
git('checkout', '-q', 'main');
git('reset', '-q', '--hard');
const base = git('rev-parse', 'main');

function scenario(name, mutate) {
  git('checkout', '-q', '-B', `bench-${name}`, base);
  const changed = mutate();
  for (const f of changed) appendFileSync(join(dir, f), `# bench change\n`);
  git('commit', '-q', '-am', name);
  return { name, head: git('rev-parse', 'HEAD'), files: changed.length };
}

const stackFiles = git('ls-files', 'idlc/aws/environments/*/main.tf').split('\n');
const moduleFiles = git('ls-files', 'idlc/aws/modules/*/main.tf').split('\n');
const scenarios = [
  scenario('one-stack', () => ['idlc/aws/environments/team-07/dev/s003/main.tf']),
  scenario('leaf-module', () => ['idlc/aws/modules/leaf-005/main.tf']),
  scenario('500-scattered', () => {
    const picked = [];
    for (let i = 0; i < 450; i++) picked.push(stackFiles[(i * 37) % stackFiles.length]);
    for (let i = 0; i < 50; i++) picked.push(moduleFiles[(i * 13) % moduleFiles.length]);
    return [...new Set(picked)];
  }),
];

function time(cmd, argv) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 28 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed: ${r.stderr}`);
  return { ms, stdout: r.stdout };
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const rows = [];
for (const s of scenarios) {
  git('checkout', '-q', `bench-${s.name}`);
  const ours = [];
  const peer = [];
  let ourCount = 0;
  let peerCount = 0;
  for (let i = 0; i < RUNS; i++) {
    // Alternate who goes first so caches and load favour neither.
    const order = i % 2 === 0 ? ['ours', 'peer'] : ['peer', 'ours'];
    for (const who of order) {
      if (who === 'ours') {
        const r = time(process.execPath, [cli, 'affected', '--base', base, '--head', s.head, '--json']);
        ours.push(r.ms);
        ourCount = JSON.parse(r.stdout).stacks.length;
      } else if (terramate) {
        const r = time(terramate, ['list', '--changed', '--git-change-base', base]);
        peer.push(r.ms);
        peerCount = r.stdout.split('\n').filter(Boolean).length;
      }
    }
  }
  rows.push({
    scenario: `${s.name} (${s.files} files)`,
    ours: median(ours),
    ourCount,
    peer: peer.length ? median(peer) : undefined,
    peerCount: peer.length ? peerCount : undefined,
  });
}
git('checkout', '-q', 'main');

const fmt = (ms) => (ms === undefined ? 'n/a' : `${ms.toFixed(0)} ms`);
console.log(
  `\nrepo: ${dir} (${git('ls-files').split('\n').length} files), runs: ${RUNS}, medians of whole-process wall time\n`,
);
console.log('| scenario | idlc affected | stacks | terramate list --changed | stacks | idlc / terramate |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const r of rows) {
  const ratio = r.peer ? (r.ours / r.peer).toFixed(2) : 'n/a';
  console.log(
    `| ${r.scenario} | ${fmt(r.ours)} | ${r.ourCount} | ${fmt(r.peer)} | ${r.peerCount ?? 'n/a'} | ${ratio} |`,
  );
}
if (!terramate) console.log('\n(set TERRAMATE_BIN to include the Terramate column)');

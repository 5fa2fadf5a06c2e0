/**
 * The sandbox: the product's real workflow files, executed by act against loopback stand-ins
 * for GitHub and AWS. It starts moto (S3, STS) behind an STS trust gate that evaluates the
 * github-oidc module's trust policies, the OIDC issuer and its per-job token service, the
 * GitHub double (schema-validated REST and GraphQL, per-job tokens, runs, artifacts, reviews)
 * and a git server; makes the repository (this working tree, offline stacks, see seed.ts);
 * configures it as `idlc setup-github` does; and then runs events through the workflows:
 * a pull request (idlc-plan.yml, then idlc-report.yml on workflow_run), a merge
 * (idlc-apply.yml on push), a promotion (idlc-promote.yml on workflow_dispatch).
 *
 * What GitHub does that act does not — per-job credentials, environments and approvals, the
 * OIDC service — is done by runner-identity.ts and the fronts; see docs in src/sandbox/README.md.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type GitHubDouble, startGitHubDouble } from '../../test/support/github-double/index.ts';
import type { CommitRecord } from '../../test/support/github-double/state.ts';
import { type Moto, startMoto } from '../../test/support/moto.ts';
import { type OidcIssuer, startOidcIssuer } from '../../test/support/oidc-issuer.ts';
import {
  GITHUB_OIDC_MODULE,
  gateRoles,
  registryRenderInput,
  renderGithubOidc,
} from '../../test/support/rendered-trust.ts';
import {
  issuerHost,
  type StsTrustGate,
  startStsTrustGate,
  type TrustPolicy,
} from '../../test/support/sts-trust.ts';
import { applySubject, driftSubject, planSubject, type RepoIdentity } from '../auth/oidc-subjects.ts';
import { type LoadedRegistry, loadRegistry } from '../config/load.ts';
import { discoverStacks, type Stack } from '../discovery/stacks.ts';
import { createGitHubClient } from '../github/client.ts';
import { desiredSettings } from '../github/repo-settings.ts';
import { setupRepository } from '../github/setup.ts';
import { APPLY_MARKER, matchMarker, PLAN_MARKER } from '../report/markers.ts';
import { cliConfigFile, toolPath, toolsDir } from '../toolchain/tools.ts';
import { runAct } from './act-runner.ts';
import {
  type PersonFacts,
  type PullFacts,
  pullRequestEvent,
  pushEvent,
  type RepoFacts,
  workflowDispatchEvent,
  workflowRunEvent,
} from './events.ts';
import { SandboxGit } from './git-repo.ts';
import { type GitServer, startGitServer } from './git-server.ts';
import { type GitHubFront, startGitHubFront } from './github-front.ts';
import { type OidcFront, startOidcFront } from './oidc-front.ts';
import { type Say, seconds, step } from './progress.ts';
import { type EnvironmentPolicy, RunnerIdentity, type SandboxRun } from './runner-identity.ts';
import { actionMetadataProblems, sandboxOverlay, workingTreeFiles } from './seed.ts';
import { parseUses, parseWorkflow, type WorkflowModel } from './workflow-model.ts';

export const SANDBOX_REPOSITORY = 'acme/platform';

/** Marketplace actions the workflows pin → stand-in folder (sandbox/stand-ins). */
export const STAND_INS: Record<string, string> = {
  'actions/checkout': 'checkout',
  'actions/upload-artifact': 'upload-artifact',
  'actions/download-artifact': 'download-artifact',
};

/** People of the sandbox: the PR author and, per team, an owner who reviews. */
export const PEOPLE = {
  author: 'mona',
  reviewers: { platform: 'pat', search: 'sam', assistant: 'ada' } as Record<string, string>,
};

/** What a run of each workflow usually takes here (2 cores, warm provider mirror). */
const TYPICAL: Record<string, string> = {
  'idlc-plan.yml': '~1-2 min',
  'idlc-report.yml': '~15 s',
  'idlc-apply.yml': '~1-2 min',
  'idlc-promote.yml': '~15 s',
};

export interface SandboxOptions {
  /** This repository: the working tree the sandbox repository is made from, and the stand-ins. */
  root: string;
  /** Where the results go (comment, check runs, summaries, act logs). */
  out: string;
  say?: Say;
  /** Environments whose required reviewers do not approve (their jobs get no credentials). */
  withholdApproval?: string[];
  /** Change the sandbox repository's first commit (tests). */
  seed?: (files: Map<string, Buffer>) => Map<string, Buffer> | Promise<Map<string, Buffer>>;
  /** Keep the temp folder on down() (debugging). */
  keep?: boolean;
  /** More job environment for every run (e.g. TF_LOG for a look inside the engine). */
  jobEnv?: Record<string, string>;
}

export interface WorkflowRunOutcome {
  runId: number;
  workflow: string;
  event: string;
  conclusion: 'success' | 'failure';
  ms: number;
  outDir: string;
  jobs: { name: string; result: string }[];
}

export interface PullRequestHandle {
  number: number;
  branch: string;
  headSha: string;
}

export class Sandbox {
  private seq = 0;
  private readonly people = new Map<string, PersonFacts>();

  private constructor(
    readonly o: SandboxOptions & { say: Say },
    readonly dir: string,
    readonly git: SandboxGit,
    readonly gh: GitHubDouble,
    readonly moto: Moto,
    readonly issuer: OidcIssuer,
    readonly gate: StsTrustGate,
    readonly identity: RunnerIdentity,
    readonly front: GitHubFront,
    readonly oidc: OidcFront,
    readonly gitServer: GitServer,
    readonly sharedToken: string,
    readonly adminToken: string,
    readonly legs: Map<string, string>,
  ) {}

  get say(): Say {
    return this.o.say;
  }

  static async up(opts: SandboxOptions): Promise<Sandbox> {
    const say = opts.say ?? ((l: string) => process.stdout.write(`${l}\n`));
    const o = { ...opts, say };
    const tools = requireTools();
    const dir = await mkdtemp(join(tmpdir(), 'idlc-sandbox-'));
    await mkdir(o.out, { recursive: true });
    say(`sandbox: ${dir} (results in ${relative(process.cwd(), o.out) || o.out})`);

    const [moto, issuer, gh] = await step(
      say,
      'start moto, the OIDC issuer and the GitHub double',
      '~5 s',
      () =>
        Promise.all([
          startMoto(),
          startOidcIssuer({ repository: SANDBOX_REPOSITORY }),
          startGitHubDouble({ owner: 'acme', repo: 'platform', strictTokens: true, clock: 'wall' }),
        ]),
    );
    const gate = await startStsTrustGate({ upstream: moto.endpoint, issuer: issuer.issuer });
    const git = new SandboxGit(dir, SANDBOX_REPOSITORY);
    const legs = new Map<string, string>();
    const identity = new RunnerIdentity({
      defaultPermissions: () => gh.state.settings.workflowPermissions.default_workflow_permissions,
      environment: (name) => environmentPolicy(gh, name),
      say,
      onResolved: (workspace, label) => legs.set(workspace, label),
    });
    for (const e of o.withholdApproval ?? []) identity.withheld.add(e);
    const sharedToken = `ghs_act${randomBytes(16).toString('hex')}`;
    const front = await startGitHubFront({ gh, identity, sharedToken, say });
    const oidc = await startOidcFront({
      issuer,
      identity,
      say,
      subjectClaimKeys: () =>
        gh.state.settings.oidcSubject.use_default
          ? undefined
          : gh.state.settings.oidcSubject.include_claim_keys,
    });
    const gitServer = await startGitServer({ projectRoot: join(dir, 'git'), identity, sharedToken, say });
    const adminToken = gh.issueToken({ kind: 'user', login: 'octocat', role: 'admin' });
    const sb = new Sandbox(
      o,
      dir,
      git,
      gh,
      moto,
      issuer,
      gate,
      identity,
      front,
      oidc,
      gitServer,
      sharedToken,
      adminToken,
      legs,
    );
    sb.tools = tools;
    try {
      await sb.bootstrap();
    } catch (err) {
      await sb.down().catch(() => undefined);
      throw err;
    }
    return sb;
  }

  tools: Tools = { act: '', node: '' };

  private async bootstrap(): Promise<void> {
    const { say } = this;
    const files = await step(say, 'make the sandbox repository from this working tree', '~5 s', async () => {
      const base = sandboxOverlay(await workingTreeFiles(this.o.root), {
        issuer: this.issuer.issuer,
        approvers: Object.fromEntries(Object.entries(PEOPLE.reviewers).map(([t, l]) => [t, [l]])),
      });
      return this.o.seed ? await this.o.seed(base) : base;
    });
    const problems = actionMetadataProblems(files);
    if (problems.length > 0) {
      throw new Error(`the repository's actions cannot be loaded by a runner:\n  ${problems.join('\n  ')}`);
    }
    const head = await this.git.init(files, 'Initial commit (idlc sandbox)');
    this.patchDoubleCommits();
    await this.syncFromGit();
    this.gh.state.defaultBranch = this.git.defaultBranch;
    this.person(PEOPLE.author);
    const { loaded, stacks } = await this.withCheckout(head, async (dir) => {
      const l = await loadRegistry(dir);
      return { loaded: l, stacks: await discoverStacks(l) };
    });
    for (const owners of Object.values(loaded.registry.teams).map((t) => t.owners)) {
      for (const o of owners) {
        const slug = o.replace(/^@[^/]+\//, '');
        const login = PEOPLE.reviewers[slug] ?? `${slug}-lead`;
        this.person(login);
        if (!this.gh.state.teams.has(slug)) this.gh.state.addTeam({ slug, members: [login] });
      }
    }
    await step(say, 'configure the repository as `idlc setup-github` does', '~3 s', async () => {
      const client = createGitHubClient({
        token: this.adminToken,
        apiUrl: this.gh.url,
        // the sandbox sets itself up: no need to space writes as on GitHub (1 s apart)
        throttle: false,
      });
      const result = await setupRepository(client, desiredSettings(loaded.registry), { dryRun: false });
      say(
        `  ${result.changed.length} setting(s) created: environments, OIDC subject, workflow permissions, ruleset`,
      );
    });
    await step(
      say,
      'bootstrap state buckets and role trust in moto',
      '~5 s; ~60 s the first time, when tofu renders the trust policies',
      async () => {
        const buckets = new Map<string, string>();
        for (const s of stacks)
          if (s.target.cloud === 'aws') buckets.set(s.target.state.bucket, s.target.state.region);
        for (const [bucket, region] of buckets) await this.moto.createStateBucket(bucket, region);
        const roles = await trustPolicies(loaded, stacks, this.issuer.issuer, say);
        for (const [arn, policy] of roles) this.gate.roles.set(arn, policy);
        say(`  ${buckets.size} state bucket(s), ${roles.size} role(s)`);
      },
    );
  }

  /** The registry of a commit of the sandbox repository (default: the default branch's head). */
  async registry(sha?: string): Promise<LoadedRegistry> {
    return await this.withCheckout(sha, (dir) => loadRegistry(dir));
  }

  /** Run `fn` on a checkout of a commit (default: the default branch's head). */
  async withCheckout<T>(sha: string | undefined, fn: (dir: string) => Promise<T>): Promise<T> {
    const dir = join(this.dir, `view-${randomBytes(4).toString('hex')}`);
    await this.git.checkout(sha ?? (await this.git.rev(`refs/heads/${this.git.defaultBranch}`)), dir);
    try {
      return await fn(dir);
    } finally {
      await this.git.removeCheckout(dir);
    }
  }

  person(login: string): PersonFacts {
    let p = this.people.get(login);
    if (!p) {
      const u = this.gh.state.user(login);
      p = { login: u.login, id: u.id };
      this.people.set(login, p);
    }
    return p;
  }

  get repoFacts(): RepoFacts {
    return {
      fullName: SANDBOX_REPOSITORY,
      id: this.gh.state.repoId,
      nodeId: this.gh.state.repoNodeId,
      defaultBranch: this.git.defaultBranch,
      serverUrl: this.gitServer.url,
      apiUrl: this.front.url,
    };
  }

  // --- one history for git clients and the API ---------------------------------------------

  /** Commits made through the double's API become real git commits with the same sha. */
  private patchDoubleCommits(): void {
    const state = this.gh.state;
    const original = state.addCommit.bind(state);
    state.addCommit = (opts) => {
      const rec = original(opts);
      if (rec.parents.length !== 1) {
        throw new Error(
          'sandbox: the double made a commit with several parents; merges are made by the sandbox',
        );
      }
      const parent = state.commits.get(rec.parents[0] as string);
      const additions: Record<string, string> = {};
      const deletions: string[] = [];
      if (opts.changes) {
        Object.assign(additions, opts.changes.additions ?? {});
        deletions.push(...(opts.changes.deletions ?? []));
      } else {
        for (const [p, c] of rec.files) if (parent?.files.get(p) !== c) additions[p] = c;
        for (const p of parent?.files.keys() ?? []) if (!rec.files.has(p)) deletions.push(p);
      }
      const real = this.git.commitFromApi({
        parent: rec.parents[0] as string,
        message: rec.message,
        additions,
        deletions,
        date: rec.date,
      });
      state.commits.delete(rec.sha);
      rec.sha = real;
      state.commits.set(real, rec);
      return rec;
    };
  }

  private readonly blobs = new Map<string, string>();

  /** Every git commit and branch into the double (commits with their trees, parents first). */
  async syncFromGit(): Promise<void> {
    const state = this.gh.state;
    const shas = (await this.git.git(this.git.bare, ['rev-list', '--all', '--reverse', '--topo-order']))
      .split('\n')
      .filter(Boolean);
    for (const sha of shas) {
      if (state.commits.has(sha)) continue;
      const info = await this.git.commitInfo(sha);
      // blobs by object id: a file unchanged between commits is one string in memory
      const entries = await this.git.treeEntries(sha);
      const missing = entries.map((e) => e.object).filter((o) => !this.blobs.has(o));
      for (const [object, bytes] of this.git.readBlobs(missing))
        this.blobs.set(object, bytes.toString('utf8'));
      const files = new Map(entries.map((e) => [e.path, this.blobs.get(e.object) as string]));
      const rec: CommitRecord = { sha, message: info.message, parents: info.parents, files, date: info.date };
      state.commits.set(sha, rec);
    }
    const refs = await this.git.git(this.git.bare, [
      'for-each-ref',
      '--format=%(refname) %(objectname)',
      'refs/heads',
    ]);
    for (const line of refs.split('\n').filter(Boolean)) {
      const [ref = '', sha = ''] = line.split(' ');
      state.refs.set(ref.replace(/^refs\//, ''), sha);
    }
  }

  /** Branches the API moved (gitops commits, promotion branches) into git. */
  async syncFromDouble(): Promise<void> {
    for (const [ref, sha] of this.gh.state.refs) {
      if (!ref.startsWith('heads/')) continue;
      const full = `refs/${ref}`;
      const current = (await this.git.refExists(full)) ? await this.git.rev(full) : undefined;
      if (current !== sha) await this.git.updateRef(full, sha);
    }
    await this.syncFromGit();
  }

  // --- pull requests ---------------------------------------------------------------------------

  /** Open a pull request from a new branch with these changes, then run its plan workflows. */
  async openPullRequest(o: {
    title: string;
    branch: string;
    changes: Record<string, string | null>;
    author?: string;
    body?: string;
    labels?: string[];
    /** owner/name of a fork the branch lives in. */
    fork?: string;
  }): Promise<PullRequestHandle> {
    const author = this.person(o.author ?? PEOPLE.author);
    const headSha = await this.git.commit({
      branch: o.branch,
      message: o.title,
      changes: o.changes,
      author: { name: author.login, email: `${author.login}@example.com` },
    });
    await this.syncFromGit();
    const pr = this.gh.state.addPullRequest({
      title: o.title,
      body: o.body ?? '',
      headRef: o.branch,
      headSha,
      user: this.gh.state.user(author.login),
      ...(o.fork ? { headRepository: o.fork } : {}),
    });
    for (const l of o.labels ?? []) this.gh.state.addLabel(pr.number, l, author.login);
    await this.updatePullRefs(pr.number);
    this.say(
      `sandbox: PR #${pr.number} "${o.title}" opened by ${author.login} (${o.branch} @ ${headSha.slice(0, 12)})`,
    );
    return { number: pr.number, branch: o.branch, headSha };
  }

  /** A new commit on the PR's branch (GitHub: synchronize; stale approvals dismissed per ruleset). */
  async pushToPullRequest(number: number, changes: Record<string, string | null>, message: string) {
    const pr = this.pull(number);
    const headSha = await this.git.commit({ branch: pr.headRef, message, changes });
    await this.syncFromGit();
    pr.headSha = headSha;
    const state = this.gh.state;
    if (state.settings.pullRequestRule(pr.baseRef, state.defaultBranch)?.dismiss_stale_reviews_on_push) {
      for (const r of state.reviewsOn(number)) if (r.state === 'APPROVED') r.state = 'DISMISSED';
    }
    await this.updatePullRefs(number);
    this.say(`sandbox: pushed ${headSha.slice(0, 12)} to PR #${number}`);
    return headSha;
  }

  private pull(number: number) {
    const pr = this.gh.state.issues.get(number)?.pull;
    if (!pr) throw new Error(`sandbox: no pull request #${number}`);
    return pr;
  }

  /** refs/pull/N/head and the test merge refs/pull/N/merge, as GitHub keeps them. */
  private async updatePullRefs(number: number): Promise<string> {
    const pr = this.pull(number);
    pr.baseSha = await this.git.rev(`refs/heads/${pr.baseRef}`);
    await this.git.updateRef(`refs/pull/${number}/head`, pr.headSha);
    const merge = await this.git.mergeCommit(
      pr.baseSha,
      pr.headSha,
      `Merge ${pr.headSha} into ${pr.baseSha}`,
    );
    await this.git.updateRef(`refs/pull/${number}/merge`, merge);
    await this.syncFromGit();
    return merge;
  }

  review(number: number, login: string, state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' = 'APPROVED') {
    this.person(login);
    const r = this.gh.state.addReview(number, { user: login, state });
    this.say(
      `sandbox: ${login} ${state.toLowerCase().replace('_', ' ')} PR #${number} at ${r.commitId.slice(0, 12)}`,
    );
    return r;
  }

  /** The pull_request event through every workflow it triggers, then the workflow_run ones. */
  async planPullRequest(
    number: number,
    action: 'opened' | 'synchronize' = 'opened',
  ): Promise<WorkflowRunOutcome[]> {
    const state = this.gh.state;
    const issue = state.issues.get(number);
    const pr = this.pull(number);
    const merge = await this.git.rev(`refs/pull/${number}/merge`);
    const payload = pullRequestEvent(action, this.repoFacts, {
      number,
      title: issue?.title ?? '',
      body: issue?.body ?? '',
      author: this.person(issue?.user.login ?? PEOPLE.author),
      headRef: pr.headRef,
      headSha: pr.headSha,
      baseRef: pr.baseRef,
      baseSha: pr.baseSha,
      labels: issue?.labels ?? [],
      ...(pr.headRepository ? { headRepository: pr.headRepository } : {}),
    } satisfies PullFacts);
    const outcomes: WorkflowRunOutcome[] = [];
    for (const path of await this.workflowsFor(merge, 'pull_request')) {
      const run = await this.runWorkflow({
        path,
        event: 'pull_request',
        payload,
        sha: merge,
        ref: `refs/pull/${number}/merge`,
        pullRequest: number,
        headSha: pr.headSha,
        headBranch: pr.headRef,
        actor: issue?.user.login ?? PEOPLE.author,
        ...(pr.headRepository ? { fork: pr.headRepository } : {}),
      });
      outcomes.push(run, ...(await this.afterRun(run)));
    }
    return outcomes;
  }

  /** Merge a pull request (a merge commit on the base branch) and run the push workflows. */
  async merge(number: number, by = 'octocat'): Promise<WorkflowRunOutcome[]> {
    const state = this.gh.state;
    const pr = this.pull(number);
    const before = await this.git.rev(`refs/heads/${pr.baseRef}`);
    const mergeSha = await this.git.mergeCommit(
      before,
      pr.headSha,
      `Merge pull request #${number} from acme/${pr.headRef}`,
    );
    await this.git.updateRef(`refs/heads/${pr.baseRef}`, mergeSha);
    await this.syncFromGit();
    const at = state.now();
    Object.assign(pr, { merged: true, mergeCommitSha: mergeSha, mergedAt: at });
    const issue = state.issues.get(number);
    if (issue) Object.assign(issue, { state: 'closed', closedAt: at, updatedAt: at });
    this.say(`sandbox: PR #${number} merged by ${by} as ${mergeSha.slice(0, 12)}`);
    return await this.push(pr.baseRef, before, mergeSha, by, `Merge pull request #${number}`);
  }

  /** A push to a branch through the workflows it triggers. */
  async push(branch: string, before: string, after: string, by: string, message: string) {
    const payload = pushEvent(this.repoFacts, {
      ref: `refs/heads/${branch}`,
      before,
      after,
      pusher: this.person(by),
      message,
    });
    const outcomes: WorkflowRunOutcome[] = [];
    for (const path of await this.workflowsFor(after, 'push')) {
      const run = await this.runWorkflow({
        path,
        event: 'push',
        payload,
        sha: after,
        ref: `refs/heads/${branch}`,
        headSha: after,
        headBranch: branch,
        actor: by,
      });
      outcomes.push(run, ...(await this.afterRun(run)));
    }
    return outcomes;
  }

  /** workflow_dispatch of a workflow on the default branch. */
  async dispatch(path: string, inputs: Record<string, string | boolean>, by = 'octocat') {
    const branch = this.git.defaultBranch;
    const sha = await this.git.rev(`refs/heads/${branch}`);
    const payload = workflowDispatchEvent(this.repoFacts, {
      ref: `refs/heads/${branch}`,
      workflowPath: path,
      inputs,
      sender: this.person(by),
    });
    const run = await this.runWorkflow({
      path,
      event: 'workflow_dispatch',
      payload,
      sha,
      ref: `refs/heads/${branch}`,
      headSha: sha,
      headBranch: branch,
      actor: by,
    });
    return [run, ...(await this.afterRun(run))];
  }

  /** workflow_run: workflows on the default branch that wait for a completed run of `name`. */
  private async afterRun(done: WorkflowRunOutcome): Promise<WorkflowRunOutcome[]> {
    const main = await this.git.rev(`refs/heads/${this.git.defaultBranch}`);
    const files = await this.git.tree(main);
    const outcomes: WorkflowRunOutcome[] = [];
    for (const [path, bytes] of files) {
      if (!/^\.github\/workflows\/[^/]+\.ya?ml$/.test(path)) continue;
      const text = bytes.toString('utf8');
      const model = parseWorkflow(path, text);
      if (!model.triggers.includes('workflow_run')) continue;
      const on = (await import('yaml')).parse(text) as {
        on?: { workflow_run?: { workflows?: string[]; types?: string[] } };
      };
      const wr = on.on?.workflow_run;
      if (!wr?.workflows?.includes(done.workflow)) continue;
      if (wr.types && !wr.types.includes('completed')) continue;
      const apiRun = (await this.api(`/repos/${SANDBOX_REPOSITORY}/actions/runs/${done.runId}`)) as Record<
        string,
        unknown
      >;
      const payload = workflowRunEvent(this.repoFacts, apiRun, this.person(PEOPLE.author));
      outcomes.push(
        await this.runWorkflow({
          path,
          event: 'workflow_run',
          payload,
          sha: main,
          ref: `refs/heads/${this.git.defaultBranch}`,
          headSha: main,
          headBranch: this.git.defaultBranch,
          actor: PEOPLE.author,
        }),
      );
    }
    return outcomes;
  }

  /** Workflow files at `sha` that an event starts. */
  private async workflowsFor(sha: string, event: string): Promise<string[]> {
    const out: string[] = [];
    for (const [path, bytes] of await this.git.tree(sha)) {
      if (!/^\.github\/workflows\/[^/]+\.ya?ml$/.test(path)) continue;
      try {
        const text = bytes.toString('utf8');
        if (!parseWorkflow(path, text).triggers.includes(event)) continue;
        const foreign = [...text.matchAll(/uses:\s*([\w.-]+\/[\w.-]+)(?:\/[^@\s]*)?@/g)]
          .map((m) => m[1] as string)
          .filter((a) => a !== SANDBOX_REPOSITORY && !STAND_INS[a]);
        if (foreign.length > 0) {
          this.say(
            `sandbox: not running ${path} on ${event}: it uses ${[...new Set(foreign)].join(', ')}, which cannot be fetched offline and has no stand-in`,
          );
          continue;
        }
        out.push(path);
      } catch (err) {
        this.say(
          `sandbox: ${path} is not a valid workflow (${(err as Error).message}); GitHub would not run it`,
        );
      }
    }
    return out.sort();
  }

  /** GET through the double's REST API as a repository admin. */
  async api(path: string): Promise<unknown> {
    const res = await fetch(`${this.gh.url}${path}`, {
      headers: { authorization: `token ${this.adminToken}` },
    });
    if (!res.ok) throw new Error(`sandbox: GET ${path}: HTTP ${res.status}`);
    return await res.json();
  }

  // --- one workflow run ------------------------------------------------------------------------

  async runWorkflow(o: {
    path: string;
    event: string;
    payload: Record<string, unknown>;
    /** The commit act runs at (GITHUB_SHA) and reads the workflow file from. */
    sha: string;
    ref: string;
    headSha: string;
    headBranch: string;
    actor: string;
    pullRequest?: number;
    fork?: string;
  }): Promise<WorkflowRunOutcome> {
    const state = this.gh.state;
    const seq = ++this.seq;
    const work = join(this.dir, 'runs', String(seq));
    const workdir = join(work, 'checkout');
    await this.git.checkout(o.sha, workdir);
    const model = parseWorkflow(o.path, await readFile(join(workdir, o.path), 'utf8'));
    const outDir = join(
      this.o.out,
      `${String(seq).padStart(2, '0')}-${o.event}-${model.name.replace(/\W+/g, '-')}`,
    );
    await mkdir(outDir, { recursive: true });

    // reusable workflows it calls: this repository's, at the ref named (act reads them from a checkout)
    const called = new Map<string, WorkflowModel>();
    const localRepositories: Record<string, string> = {};
    for (const job of model.jobs.values()) {
      if (!job.uses) continue;
      const u = parseUses(job.uses);
      if (!u) throw new Error(`sandbox: ${o.path}: jobs.${job.id}.uses: ${job.uses} is not a workflow`);
      let dir = workdir;
      if (u.repository) {
        if (u.repository !== SANDBOX_REPOSITORY || !u.ref) {
          throw new Error(
            `sandbox: ${o.path} calls ${job.uses}: only this repository's workflows exist offline`,
          );
        }
        dir = join(work, `called-${u.ref.replace(/\W+/g, '-')}`);
        if (!existsSync(dir)) {
          const ref =
            u.ref.startsWith('refs/') || /^[0-9a-f]{40}$/.test(u.ref) ? u.ref : `refs/heads/${u.ref}`;
          await this.git.checkout(await this.git.rev(ref), dir);
        }
        localRepositories[`${u.repository}@${u.ref}`] = dir;
      }
      called.set(job.uses, parseWorkflow(u.path, await readFile(join(dir, u.path), 'utf8')));
    }
    for (const [action, folder] of Object.entries(STAND_INS)) {
      for (const sha of await pinnedShas([workdir, ...Object.values(localRepositories)], action)) {
        localRepositories[`${action}@${sha}`] = join(this.o.root, 'sandbox', 'stand-ins', folder);
      }
    }

    const run = state.addWorkflowRun({
      path: o.path,
      event: o.event,
      name: model.name,
      headSha: o.headSha,
      headBranch: o.headBranch,
      actor: o.actor,
      ...(o.pullRequest !== undefined ? { pullRequest: o.pullRequest } : {}),
      ...(o.fork ? { headRepository: o.fork } : {}),
      jobs: [...model.jobs.keys()],
    });
    const pull = o.pullRequest !== undefined ? state.issues.get(o.pullRequest)?.pull : undefined;
    const sandboxRun: SandboxRun = {
      id: run.id,
      attempt: run.runAttempt,
      event: o.event,
      ref: o.ref,
      sha: o.sha,
      repository: SANDBOX_REPOSITORY,
      defaultBranch: this.git.defaultBranch,
      actor: o.actor,
      fork: Boolean(o.fork),
      ...(pull ? { headRef: pull.headRef, baseRef: pull.baseRef } : {}),
      workflow: model,
      called,
    };
    this.identity.register(sandboxRun);
    const eventPath = join(work, 'event.json');
    await writeFile(eventPath, JSON.stringify(o.payload, null, 2));

    const env: Record<string, string> = {
      GITHUB_RUN_ID: String(run.id),
      GITHUB_RUN_ATTEMPT: String(run.runAttempt),
      GITHUB_RUN_NUMBER: String(run.runNumber),
      GITHUB_REPOSITORY: SANDBOX_REPOSITORY,
      GITHUB_REPOSITORY_OWNER: SANDBOX_REPOSITORY.split('/')[0] as string,
      GITHUB_SERVER_URL: this.gitServer.url,
      GITHUB_API_URL: this.front.url,
      GITHUB_GRAPHQL_URL: this.front.graphqlUrl,
      IDLC_SANDBOX_ENDPOINT: this.moto.endpoint,
      IDLC_SANDBOX_STS_ENDPOINT: this.gate.endpoint,
      IDLC_TOOLS_DIR: toolsDir(),
      AWS_EC2_METADATA_DISABLED: 'true',
      ...(cliConfigFile() ? { TF_CLI_CONFIG_FILE: cliConfigFile() as string } : {}),
      ...this.o.jobEnv,
      // GitHub gives fork PRs no ID-token service at all
      ...(o.fork
        ? {}
        : {
            ACTIONS_ID_TOKEN_REQUEST_URL: this.oidc.requestUrl,
            ACTIONS_ID_TOKEN_REQUEST_TOKEN: this.oidc.requestToken,
          }),
    };

    const running = new Map<string, number>();
    const failedLegs = new Set<string>();
    const file = o.path.split('/').pop() ?? o.path;
    const cacheDir = await mkdtemp(join(tmpdir(), 'isb'));
    const summaries = watchSummaries(cacheDir);
    const result = await step(
      this.say,
      `${o.event} → ${o.path} (run ${run.id})`,
      TYPICAL[file] ?? '~1 min',
      () =>
        runAct({
          act: this.tools.act,
          nodeDir: this.tools.node.replace(/\/node$/, ''),
          workdir,
          workflowFile: o.path,
          event: o.event,
          eventPath,
          localRepositories,
          env,
          token: this.sharedToken,
          actor: o.actor,
          defaultBranch: this.git.defaultBranch,
          home: join(work, 'act'),
          cacheDir,
          logFile: join(outDir, 'act.log'),
          path: toolPath().split(':').slice(0, 2),
          onLine: (line) => {
            const m = /^\[([^\]]+)\]\s+(.*)$/.exec(line);
            if (!m) return;
            const [, job = '', msg = ''] = m;
            if (msg.startsWith('🚀  Start')) {
              running.set(job, Date.now());
              this.say(`  ▸ ${job.trim()}`);
            } else if (msg.startsWith('🏁  Job succeeded') || msg.startsWith('🏁  Job failed')) {
              const t = running.get(job);
              running.delete(job);
              // act reports one result for a whole matrix: a leg is judged by its own steps
              const ok = !failedLegs.has(job);
              this.say(`  ${ok ? '✓' : '✗'} ${job.trim()}${t ? ` (${seconds(Date.now() - t)})` : ''}`);
            } else if (/::error|❌ {2}Failure|not allowed here|^Error: /.test(msg)) {
              if (msg.includes('Failure')) failedLegs.add(job);
              this.say(`    ${job}: ${msg.replace(/^\|\s*/, '').slice(0, 300)}`);
            }
          },
        }),
      {
        detail: () => (running.size ? `running: ${[...running.keys()].map((j) => j.trim()).join(', ')}` : ''),
      },
    );
    const texts = await summaries.stop();
    const conclusion = result.code === 0 ? 'success' : 'failure';
    state.completeWorkflowRun(run.id, conclusion);
    await this.syncFromDouble();

    // results: job summaries, the act log (already there), the run as the API shows it
    const summaryDir = join(outDir, 'summaries');
    for (const [workspace, text] of texts) {
      if (!text.trim()) continue;
      await mkdir(summaryDir, { recursive: true });
      const label = this.legs.get(workspace) ?? relative(cacheDir, workspace);
      await writeFile(join(summaryDir, `${label.replace(/[^\w.-]+/g, '_')}.md`), text);
    }
    await writeFile(
      join(outDir, 'run.json'),
      JSON.stringify(await this.api(`/repos/${SANDBOX_REPOSITORY}/actions/runs/${run.id}`), null, 2),
    );
    await this.git.removeCheckout(workdir);
    for (const dir of Object.values(localRepositories)) {
      if (dir.startsWith(work)) await this.git.removeCheckout(dir);
    }
    if (!this.o.keep) {
      await rm(join(work, 'act'), { recursive: true, force: true });
      await rm(cacheDir, { recursive: true, force: true });
    }
    this.say(`  ${model.name}: ${conclusion} — log ${relative(process.cwd(), join(outDir, 'act.log'))}`);
    return {
      runId: run.id,
      workflow: model.name,
      event: o.event,
      conclusion,
      ms: result.ms,
      outDir,
      jobs: result.jobs,
    };
  }

  // --- what a reviewer sees ----------------------------------------------------------------------

  /** The PR's comments by the workflows (the sticky one last), and check runs on its head. */
  pullRequestView(number: number) {
    const state = this.gh.state;
    const pr = this.pull(number);
    const comments = state.commentsOn(number).filter((c) => c.user.type === 'Bot');
    const checks = state.checkRunsFor(pr.headSha).map((c) => ({
      name: c.name,
      status: c.status,
      conclusion: c.conclusion,
      title: c.output.title,
      summary: c.output.summary,
      externalId: c.externalId,
    }));
    const current = comments.filter((c) => !c.minimizedReason);
    return {
      comments,
      /** The sticky plan comment (idlc-report.yml) and the apply comment (idlc-apply.yml). */
      sticky: current.find((c) => matchMarker(c.body, PLAN_MARKER) === 'current'),
      apply: current.find((c) => matchMarker(c.body, APPLY_MARKER) === 'current'),
      checks,
      headSha: pr.headSha,
    };
  }

  /** Write the PR's comment and checks to out/ and return the comment. */
  async writePullRequestView(number: number): Promise<string | undefined> {
    const view = this.pullRequestView(number);
    const dir = join(this.o.out, `pr-${number}`);
    await mkdir(dir, { recursive: true });
    if (view.sticky) await writeFile(join(dir, 'comment.md'), view.sticky.body);
    if (view.apply) await writeFile(join(dir, 'apply-comment.md'), view.apply.body);
    await writeFile(join(dir, 'check-runs.json'), JSON.stringify(view.checks, null, 2));
    return view.sticky?.body;
  }

  async down(): Promise<void> {
    const stops = [
      this.front?.stop(),
      this.oidc?.stop(),
      this.gitServer?.stop(),
      this.gate?.stop(),
      this.issuer?.stop(),
      this.moto?.stop(),
    ];
    await Promise.allSettled(stops);
    const violations = this.gh?.violations.slice() ?? [];
    await this.gh?.close().catch(() => undefined);
    if (violations.length > 0) {
      await writeFile(join(this.o.out, 'github-double-violations.txt'), `${violations.join('\n')}\n`).catch(
        () => undefined,
      );
    }
    if (!this.o.keep) await rm(this.dir, { recursive: true, force: true });
  }
}

interface Tools {
  act: string;
  node: string;
}

/** act and Node 24 from the tools cache (scripts/install-tools --only act,node24). */
function requireTools(): Tools {
  const dir = toolsDir();
  const act = join(dir, 'bin', 'act');
  const node = join(dir, 'node24', 'bin', 'node');
  const missing = [!existsSync(act) && 'act', !existsSync(node) && 'node24'].filter(Boolean);
  if (missing.length > 0) {
    throw new Error(
      `the sandbox needs ${missing.join(' and ')}: run scripts/install-tools --only act,node24,tofu,opa,moto,provider-time`,
    );
  }
  return { act, node };
}

/** The pinned shas of an action in the workflow files of these checkouts. */
async function pinnedShas(dirs: string[], action: string): Promise<string[]> {
  const out = new Set<string>();
  const re = new RegExp(`uses:\\s*${action.replace('/', '\\/')}@([0-9a-f]{40})`, 'g');
  for (const dir of dirs) {
    const wf = join(dir, '.github', 'workflows');
    if (!existsSync(wf)) continue;
    for (const f of await readdir(wf)) {
      const text = await readFile(join(wf, f), 'utf8').catch(() => '');
      for (const m of text.matchAll(re)) out.add(m[1] as string);
    }
  }
  return [...out];
}

/** An environment's protection as the double holds it (reviewers, deployment branches). */
function environmentPolicy(gh: GitHubDouble, name: string): EnvironmentPolicy | undefined {
  const state = gh.state;
  const e = state.settings.environments.get(name);
  if (!e) return undefined;
  const reviewers = e.reviewers.map((r) => {
    if (r.type === 'Team') {
      const t = [...state.teams.values()].find((x) => x.id === r.id);
      return t ? `@${state.owner}/${t.slug}` : `team ${r.id}`;
    }
    return [...state.users.values()].find((u) => u.id === r.id)?.login ?? `user ${r.id}`;
  });
  let branches: string[] | undefined;
  if (e.deploymentBranchPolicy?.custom_branch_policies) {
    branches = e.branchPolicies.filter((b) => b.type === 'branch').map((b) => b.name);
  } else if (e.deploymentBranchPolicy?.protected_branches) {
    branches = [state.defaultBranch];
  }
  return { reviewers, ...(branches ? { branches } : {}) };
}

/** Role ARN → trust policy: the github-oidc module's, rendered by tofu when the AWS provider is built. */
async function trustPolicies(
  loaded: LoadedRegistry,
  stacks: Stack[],
  issuer: string,
  say: Say,
): Promise<Map<string, TrustPolicy>> {
  const repository = loaded.registry.github?.repository ?? SANDBOX_REPOSITORY;
  const provider = join(toolsDir(), 'providers', 'registry.opentofu.org', 'hashicorp', 'aws');
  if (existsSync(provider)) {
    const input = registryRenderInput(loaded.registry, repository);
    // one tofu run per module version and registry: kept on disk between sandboxes
    const hash = createHash('sha256').update(JSON.stringify(input));
    for (const f of (await readdir(GITHUB_OIDC_MODULE, { recursive: true })).sort()) {
      const bytes = await readFile(join(GITHUB_OIDC_MODULE, f)).catch(() => undefined);
      if (bytes) hash.update(f).update(bytes);
    }
    const cache = join(toolsDir(), '..', 'sandbox', `rendered-trust-${hash.digest('hex').slice(0, 16)}.json`);
    let roles: [string, TrustPolicy][] | undefined;
    try {
      roles = JSON.parse(await readFile(cache, 'utf8')) as [string, TrustPolicy][];
    } catch {
      roles = [...(await renderGithubOidc(input)).roles];
      await mkdir(dirname(cache), { recursive: true });
      await writeFile(cache, JSON.stringify(roles));
    }
    return gateRoles({ accounts: [], roles: new Map(roles) }, issuer);
  }
  say(
    '  the AWS provider is not built (scripts/install-tools --with-heavy-providers): trust policies are built from src/auth/oidc-subjects.ts, the subjects the github-oidc module renders',
  );
  const id: RepoIdentity = { repository, defaultBranch: loaded.registry.github?.default_branch ?? 'main' };
  const host = issuerHost(issuer);
  const review = new Set(loaded.registry.environments.filter((e) => e.plan_review).map((e) => e.name));
  const roles = new Map<string, TrustPolicy>();
  const policy = (account: string, subjects: string[]): TrustPolicy => ({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: `arn:aws:iam::${account}:oidc-provider/${host}` },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringEquals: { [`${host}:aud`]: ['sts.amazonaws.com'], [`${host}:sub`]: subjects } },
      },
    ],
  });
  for (const s of stacks) {
    const account = s.target.accountId;
    if (s.target.cloud !== 'aws' || !account) continue;
    roles.set(
      s.target.planRole,
      policy(account, [planSubject(id, s.team, s.env, review.has(s.env)), driftSubject(id)]),
    );
    roles.set(s.target.applyRole, policy(account, [applySubject(id, s.team, s.env)]));
  }
  return roles;
}

/** Job summaries act writes into each job's folder, read before act removes the folder. */
function watchSummaries(cacheDir: string) {
  const texts = new Map<string, string>();
  const scan = async () => {
    let entries: string[];
    try {
      entries = await readdir(cacheDir);
    } catch {
      return;
    }
    for (const e of entries) {
      const f = join(cacheDir, e, 'act', 'workflow', 'SUMMARY.md');
      const text = await readFile(f, 'utf8').catch(() => undefined);
      if (text) texts.set(join(cacheDir, e, 'hostexecutor'), text);
    }
  };
  const timer = setInterval(() => void scan(), 250);
  return {
    async stop() {
      clearInterval(timer);
      await scan();
      return texts;
    },
  };
}

/** This repository: two folders up from src/sandbox/ and from dist/sandbox/ alike. */
export const repoRoot = () => fileURLToPath(new URL('../..', import.meta.url));

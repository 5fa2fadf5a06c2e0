import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type GitHubDouble, startGitHubDouble } from '../../test/support/github-double/index.ts';
import { createGitHubClient } from '../github/client.ts';
import { publishChecks } from '../report/checks.ts';
import { loadStackResults } from '../report/results.ts';
import { publishedBundleSha256 } from './published-bundle.ts';

const repo = { owner: 'acme', repo: 'platform' };
const doubles: GitHubDouble[] = [];
afterEach(async () => {
  for (const d of doubles.splice(0)) await d.close();
});

describe('the bundle hash travels from the PR check to apply', () => {
  it('report publishes it as the check run external_id; apply reads back the newest one per stack', async () => {
    const gh = await startGitHubDouble(repo);
    doubles.push(gh);
    const client = createGitHubClient({
      token: 't',
      apiUrl: gh.url,
      graphqlUrl: gh.graphqlUrl,
      retryBaseMs: 5,
      throttle: false,
    });
    const headSha = gh.state.addPullRequest().pull?.headSha as string;
    const { results } = await loadStackResults(
      join(import.meta.dirname, '..', 'report', 'testdata', 'results'),
    );
    const [first] = results;
    if (!first) throw new Error('fixture results are empty');
    const older = { ...first, bundleSha256: 'a'.repeat(64) };
    const newer = { ...first, bundleSha256: 'b'.repeat(64) };
    await publishChecks(client, { repo, headSha, results: [older], mode: 'check-runs' });
    await publishChecks(client, { repo, headSha, results: [newer], mode: 'check-runs' });
    const lookup = client.rest as unknown as Parameters<typeof publishedBundleSha256>[0];
    expect(await publishedBundleSha256(lookup, repo, headSha, first.stack)).toBe('b'.repeat(64));
    const other = { ...first.stack, id: 'aws/nobody/dev', team: 'nobody' };
    expect(await publishedBundleSha256(lookup, repo, headSha, other)).toBeUndefined();
  });
});

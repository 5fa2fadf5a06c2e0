import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { addTeamToRegistry } from './edit.ts';
import { parseRegistry } from './load.ts';

const REGISTRY = `# The platform registry (comments must survive edits).
version: 1

engine:
  name: tofu
  version: 1.12.6 # keep equal to TOFU_VERSION

clouds:
  aws:
    default_region: eu-west-1

environments:
  - name: dev
  - name: prod
    protected: true

state:
  bucket: idlc-tfstate-{team}-{account_id} # one bucket per team account

teams:
  platform:
    kind: platform
    owners: ["@acme/platform"]
    cost_center: cc-0100
    envs:
      dev: { aws: { account_id: "100000000001" } }

  search:
    owners: ["@acme/search"]
    cost_center: cc-2100
    envs:
      dev: { aws: { account_id: "200000000001" } } # the dev account
`;

const VISION = {
  owners: ['@acme/vision'],
  cost_center: 'cc-1',
  envs: { dev: { aws: { account_id: '400000000001' } } },
};

describe('addTeamToRegistry', () => {
  it('adds only lines, in the style of the file, and the result loads', () => {
    const next = addTeamToRegistry(REGISTRY, 'vision', VISION);
    expect(next).toBe(
      `${REGISTRY}\n  vision:\n    owners: ["@acme/vision"]\n    cost_center: cc-1\n    envs:\n      dev: { aws: { account_id: "400000000001" } }\n`,
    );
    expect(parseRegistry(next).teams['vision']?.envs['dev']?.aws?.account_id).toBe('400000000001');
  });

  it('appends after the last team even when a comment trails the file', () => {
    const text = `${REGISTRY}# end of registry\n`;
    const next = addTeamToRegistry(text, 'vision', VISION);
    const doc = parseDocument(next).toJS() as { teams: Record<string, unknown> };
    expect(Object.keys(doc.teams)).toEqual(['platform', 'search', 'vision']);
    expect(next).toContain('# end of registry');
    expect(next).toContain('# the dev account');
  });
});

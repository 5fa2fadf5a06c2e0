import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REGISTRY_YAML } from '../../test/support/registry-fixture.ts';
import { IdlcError } from '../util/errors.ts';
import { registryJsonSchema, SCHEMA_FILE } from './json-schema.ts';
import { parseRegistry } from './load.ts';
import { resolveTarget } from './targets.ts';

function errorOf(text: string): IdlcError {
  try {
    parseRegistry(text);
  } catch (err) {
    if (err instanceof IdlcError) return err;
    throw err;
  }
  throw new Error('expected the registry to be rejected');
}

const replace = (from: string | RegExp, to: string) => REGISTRY_YAML.replace(from, to);

describe('parseRegistry: a valid registry', () => {
  it('loads with defaults filled in', () => {
    const reg = parseRegistry(REGISTRY_YAML);
    expect(reg.engine).toEqual({ name: 'tofu', version: '1.12.6' });
    expect(reg.environments.map((e) => [e.name, e.protected])).toEqual([
      ['dev', false],
      ['staging', false],
      ['prod', true],
    ]);
    expect(reg.state.use_lockfile).toBe(true);
    expect(reg.stack_roots).toEqual(['idlc/aws/environments', 'idlc/gcp/environments']);
  });

  it('resolves a team/env target from templates, never from the stack folder', () => {
    const reg = parseRegistry(REGISTRY_YAML);
    const t = resolveTarget(reg, 'aws', 'search', 'prod', 'rag');
    expect(t).toMatchObject({
      accountId: '200000000003',
      region: 'eu-west-1',
      protected: true,
      planRole: 'arn:aws:iam::200000000003:role/idlc-search-prod-plan',
      applyRole: 'arn:aws:iam::200000000003:role/idlc-search-prod-apply',
      githubEnvironment: 'search-prod',
      state: {
        backend: 's3',
        bucket: 'idlc-tfstate-search-200000000003',
        key: 'prod/rag/terraform.tfstate',
        useLockfile: true,
      },
    });
  });

  it('the repository registry loads, and the committed JSON Schema matches the types', () => {
    const root = join(import.meta.dirname, '..', '..');
    expect(() => parseRegistry(readFileSync(join(root, 'idlc.yaml'), 'utf8'))).not.toThrow();
    expect(readFileSync(join(root, SCHEMA_FILE), 'utf8')).toBe(registryJsonSchema());
    expect(readFileSync(join(root, 'idlc.yaml'), 'utf8')).toContain(
      '# yaml-language-server: $schema=./schema/idlc.schema.json',
    );
  });
});

describe('parseRegistry: bad input names file, line, field and fix', () => {
  const cases: { name: string; text: string; expect: RegExp[] }[] = [
    {
      name: 'malformed YAML',
      text: replace('clouds:\n  aws:', 'clouds:\n  aws: [\n'),
      expect: [/^idlc\.yaml:\d+:\d+: invalid YAML/m, /fix: fix the YAML syntax/],
    },
    {
      name: 'duplicate key',
      text: replace('version: 1\n', 'version: 1\nversion: 1\n'),
      expect: [/^idlc\.yaml:2:1: invalid YAML: Map keys must be unique/m],
    },
    {
      name: 'not a mapping',
      text: '- just\n- a list\n',
      expect: [/idlc\.yaml:1: the registry must be a YAML mapping/],
    },
    {
      name: 'unknown top-level key',
      text: `${REGISTRY_YAML}colour: blue\n`,
      expect: [/idlc\.yaml:\d+:1: colour: unknown key/, /fix: remove "colour"/],
    },
    {
      name: 'unknown nested key (typo)',
      text: replace('cost_center: cc-2100', 'cost_centre: cc-2100'),
      expect: [
        /idlc\.yaml:\d+:5: teams\.search\.cost_centre: unknown key/,
        /idlc\.yaml:\d+:\d+: teams\.search\.cost_center: required field is missing/,
      ],
    },
    {
      name: 'wrong type',
      text: replace('    protected: true', '    protected: "yes"'),
      expect: [/idlc\.yaml:12:16: environments\.2\.protected: expected boolean, got "yes"/],
    },
    {
      name: 'account id with too few digits',
      text: replace('"200000000003"', '"12345"'),
      expect: [
        /teams\.search\.envs\.prod\.aws\.account_id: expected an AWS account id of exactly 12 digits.*got "12345"/,
      ],
    },
    {
      name: 'account id as an unquoted number',
      text: replace('"200000000001"', '200000000001'),
      expect: [/teams\.search\.envs\.dev\.aws\.account_id: expected string, got number 200000000001/],
    },
    {
      name: 'two teams share an account',
      text: replace('"300000000001"', '"200000000001"'),
      expect: [
        /teams\.assistant\.envs\.dev\.aws\.account_id: account 200000000001 is already used by team "search"/,
        /hard isolation/,
      ],
    },
    {
      name: 'two teams share a GCP project',
      text: replace('clouds:\n  aws:\n', 'clouds:\n  gcp:\n    default_region: europe-west4\n  aws:\n')
        .replace(
          'dev: { aws: { account_id: "200000000001" } }',
          'dev: { aws: { account_id: "200000000001" }, gcp: { project: "acme-ml-dev" } }',
        )
        .replace(
          'dev: { aws: { account_id: "300000000001" } }',
          'dev: { aws: { account_id: "300000000001" }, gcp: { project: "acme-ml-dev" } }',
        ),
      expect: [
        /^idlc\.yaml:42:67: teams\.assistant\.envs\.dev\.gcp\.project: GCP project acme-ml-dev is already used by team "search"; teams never share a project \(hard isolation\)$/m,
        /fix: give each team its own GCP project per environment/,
      ],
    },
    {
      name: 'bad team name',
      text: replace('  search:\n', '  Search_Team:\n'),
      expect: [/teams\.Search_Team: team name "Search_Team" must match/],
    },
    {
      name: 'team name reserved for the CI roles',
      text: replace('  search:\n', '  idlc-search:\n'),
      expect: [
        /idlc\.yaml:\d+:3: teams\.idlc-search: team names starting with "idlc" are reserved: the CI roles and service accounts are named idlc-<team>-<env>-plan\|apply/,
        /fix: rename the team, e\.g\. "platform-tools" instead of "idlc-tools"/,
      ],
    },
    {
      name: 'bad environment name',
      text: replace('  - name: staging', '  - name: Staging'),
      expect: [/environments\.1\.name: environment names must match/],
    },
    {
      name: 'team env not declared',
      text: replace(
        '      staging: { aws: { account_id: "200000000002" } }',
        '      qa: { aws: { account_id: "200000000002" } }',
      ),
      expect: [
        /teams\.search\.envs\.qa: environment "qa" is not declared/,
        /fix: declare it under environments/,
      ],
    },
    {
      name: 'dependency on an unknown team',
      text: replace('after: ["aws/platform/{env}/network"]', 'after: ["aws/platfrom/{env}/network"]'),
      expect: [/dependencies\.0\.after\.0: team "platfrom" is not declared/],
    },
    {
      name: 'dependency that is not a stack id',
      text: replace('stacks: "aws/*/{env}"', 'stacks: "search"'),
      expect: [
        /dependencies\.0\.stacks: "search" is not a stack id glob/,
        /fix: write <cloud>\/<team>\/<env>/,
      ],
    },
    {
      name: 'stack root escaping the repository',
      text: `${REGISTRY_YAML}stack_roots: ["../elsewhere/aws"]\n`,
      expect: [/stack_roots\.0: path "\.\.\/elsewhere\/aws" escapes the repository/],
    },
    {
      name: 'absolute module root',
      text: `${REGISTRY_YAML}module_roots: ["/etc/aws"]\n`,
      expect: [/module_roots\.0: path "\/etc\/aws" escapes the repository/],
    },
    {
      name: 'unknown placeholder in a template',
      text: replace('bucket: idlc-tfstate-{team}-{account_id}', 'bucket: idlc-tfstate-{teem}'),
      expect: [/state\.bucket: unknown placeholder \{teem\}/, /fix: use only \{team\}/],
    },
    {
      name: 'engine not supported',
      text: replace('  name: tofu', '  name: pulumi'),
      expect: [/engine\.name: Invalid option: expected one of "tofu"\|"terraform"/],
    },
    {
      name: 'engine version not exact',
      text: replace('  version: 1.12.6', '  version: "~> 1.12"'),
      expect: [/engine\.version: expected an exact version such as 1\.12\.6; got "~> 1\.12"/],
    },
    {
      name: 'owner that is not a GitHub team',
      text: replace('owners: ["@acme/search"]', 'owners: ["bob"]'),
      expect: [/teams\.search\.owners\.0: owners are GitHub teams written as @org\/team/],
    },
    {
      name: 'missing required section',
      text: replace(/state:\n {2}bucket: .*\n {2}key: .*\n/, ''),
      expect: [/idlc\.yaml:1:1: state: required field is missing \(expected object\)/, /fix: add state/],
    },
  ];

  for (const c of cases) {
    it(c.name, () => {
      const err = errorOf(c.text);
      for (const re of c.expect) expect(err.message).toMatch(re);
      expect(err.problems.every((p) => p.file === 'idlc.yaml')).toBe(true);
    });
  }

  it('reports every problem at once, not only the first', () => {
    const text = `${replace('"200000000003"', '"1"').replace('"300000000003"', '"2"')}colour: blue\n`;
    const digits = 'expected an AWS account id of exactly 12 digits (quote it in YAML: "123456789012")';
    expect(errorOf(text).problems.map((p) => [p.line, p.field, p.message])).toEqual([
      [35, 'teams.search.envs.prod.aws.account_id', `${digits}; got "1"`],
      [41, 'teams.assistant.envs.prod.aws.account_id', `${digits}; got "2"`],
      [42, 'colour', 'unknown key'],
    ]);
  });
});

describe('parseRegistry: references between fields are checked on load', () => {
  const messageOf = (text: string) => errorOf(text).message;

  it('promote_from names declared envs that come earlier in the promotion order', () => {
    const text = replace(
      '  - name: dev\n  - name: staging\n  - name: prod\n    protected: true\n',
      [
        '  - name: dev',
        '    promote_from: [prod]',
        '  - name: staging',
        '    promote_from: [staging]',
        '  - name: prod',
        '    protected: true',
        '    promote_from: [dev, qa]',
        '',
      ].join('\n'),
    );
    expect(messageOf(text)).toBe(
      [
        'idlc.yaml:10:20: environments.0.promote_from.0: dev cannot be promoted from prod, which comes after it (dev → staging → prod)',
        '  fix: remove promote_from: dev is first in the promotion order (dev → staging → prod)',
        'idlc.yaml:12:20: environments.1.promote_from.0: staging cannot be promoted from itself',
        '  fix: list only envs that come before staging in environments (dev)',
        'idlc.yaml:15:25: environments.2.promote_from.1: environment "qa" is not declared',
        '  fix: list only envs that come before prod in environments (dev, staging)',
      ].join('\n'),
    );
    const skipping = replace(
      '    protected: true\n',
      '    protected: true\n    promote_from: [dev, staging]\n',
    );
    expect(parseRegistry(skipping).environments[2]?.promote_from).toEqual(['dev', 'staging']);
  });

  it('gpu.quota is keyed by declared envs', () => {
    const text = replace(
      '    cost_center: cc-2100\n',
      '    cost_center: cc-2100\n    gpu: { quota: { dev: 1, qa: 2 } }\n',
    );
    expect(messageOf(text)).toBe(
      [
        'idlc.yaml:32:29: teams.search.gpu.quota.qa: environment "qa" is not declared',
        '  fix: use env names from environments (dev, staging, prod)',
      ].join('\n'),
    );
  });

  it('sync_windows: five-field cron schedules and tz database names, as Argo CD reads them', () => {
    const text = replace(
      '    protected: true\n',
      [
        '    protected: true',
        '    sync_windows:',
        '      - { kind: allow, schedule: "0 8 * * 1-7", duration: 10h, time_zone: Europe/Berlin }',
        '      - { kind: deny, schedule: "0 18 * *", duration: 1h, time_zone: europe/berlin }',
        '      - { kind: deny, schedule: "*/15 0-6 ? JAN-mar sun", duration: 1h, time_zone: Mars/Olympus }',
        '',
      ].join('\n'),
    );
    const fixCron =
      '  fix: write five fields: minute hour day-of-month month day-of-week, e.g. "0 8 * * 1-5"';
    const fixZone =
      '  fix: use an IANA time zone name as written in the tz database, e.g. Europe/Berlin or UTC';
    expect(messageOf(text)).toBe(
      [
        'idlc.yaml:14:34: environments.2.sync_windows.0.schedule: not a cron schedule Argo CD accepts: day of week "1-7": outside 0-6',
        fixCron,
        'idlc.yaml:15:33: environments.2.sync_windows.1.schedule: not a cron schedule Argo CD accepts: "0 18 * *" has 4 fields, not 5',
        fixCron,
        'idlc.yaml:15:70: environments.2.sync_windows.1.time_zone: time zone "europe/berlin" is spelled "Europe/Berlin" (the names are case-sensitive)',
        fixZone,
        'idlc.yaml:16:84: environments.2.sync_windows.2.time_zone: unknown time zone "Mars/Olympus"',
        fixZone,
      ].join('\n'),
    );
  });

  it('the cron schedules Argo CD accepts load', () => {
    for (const schedule of ['0 8 * * 1-5', '*/15 0-6 ? JAN-mar sun', '0,30 22 1 */3 SAT', '5/10 * * * *']) {
      const text = replace(
        '    protected: true\n',
        `    protected: true\n    sync_windows: [{ kind: allow, schedule: "${schedule}", duration: 1h }]\n`,
      );
      expect(parseRegistry(text).environments[2]?.sync_windows[0]).toEqual({
        kind: 'allow',
        schedule,
        duration: '1h',
        time_zone: 'UTC',
        manual_sync: true,
      });
    }
  });
});

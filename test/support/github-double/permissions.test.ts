// The permission table covers every operation the double implements, and names only
// operations and mutations GitHub publishes.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { graphqlSchema, implementedMutations } from './graphql.ts';
import { IMPLEMENTED_OPERATIONS } from './handlers.ts';
import { GRAPHQL_MUTATION_PERMISSIONS, REST_PERMISSIONS } from './permissions.ts';

function publishedOperationIds(): Set<string> {
  const file = createRequire(import.meta.url).resolve('@octokit/openapi/generated/api.github.com.json');
  const doc = JSON.parse(readFileSync(file, 'utf8')) as {
    paths: Record<string, Record<string, { operationId?: string }>>;
  };
  const ids = new Set<string>();
  for (const methods of Object.values(doc.paths))
    for (const op of Object.values(methods)) if (op.operationId) ids.add(op.operationId);
  return ids;
}

const LEVEL = /^(app-jwt|[a-z_]+:(read|write)(\|[a-z_]+:(read|write))*)$/;

describe('permission table of the GitHub double', () => {
  it('has a row for every REST operation the double implements', () => {
    expect(IMPLEMENTED_OPERATIONS.filter((op) => !(op in REST_PERMISSIONS))).toEqual([]);
  });

  it('names only operations of GitHub’s OpenAPI description, with well-formed requirements', () => {
    const published = publishedOperationIds();
    expect(Object.keys(REST_PERMISSIONS).filter((op) => !published.has(op))).toEqual([]);
    expect(Object.entries(REST_PERMISSIONS).filter(([, need]) => !LEVEL.test(need))).toEqual([]);
  });

  it('has a row for every GraphQL mutation the double runs, each a mutation of the published schema', async () => {
    const schema = await graphqlSchema();
    const fields = Object.keys(schema.getMutationType()?.getFields() ?? {});
    expect(implementedMutations().filter((m) => !(m in GRAPHQL_MUTATION_PERMISSIONS))).toEqual([]);
    expect(Object.keys(GRAPHQL_MUTATION_PERMISSIONS).filter((m) => !fields.includes(m))).toEqual([]);
  });
});

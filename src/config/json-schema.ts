import { z } from 'zod';
import { RegistrySchema } from './schema.ts';

export const SCHEMA_FILE = 'schema/idlc.schema.json';

/** The JSON Schema of idlc.yaml, generated from the zod types (input side: defaults optional). */
export function registryJsonSchema(): string {
  const schema = z.toJSONSchema(RegistrySchema, { io: 'input', target: 'draft-2020-12' }) as Record<
    string,
    unknown
  >;
  const out = {
    $id: 'https://github.com/idlc/idlc/schema/idlc.schema.json',
    title: 'idlc platform registry (idlc.yaml)',
    ...schema,
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}

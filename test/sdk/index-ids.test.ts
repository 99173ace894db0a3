/**
 * The transform and the host number indexes the same way (position in the concatenation of
 * every table's indexes, in table order): the ids the transform bakes into typed accessors are
 * the ids the host resolves from the schema, for every example and fixture module.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateModule } from '../../runtime/host/index.js';
import { moduleBytes, ROOT } from '../helpers/modules.js';
// @ts-expect-error: the transform is plain JavaScript without types
import { indexIds } from '../../sdk/assembly/transform/index.mjs';

const fixtures = readdirSync(path.join(ROOT, 'modules/fixtures')).map(f => `fixtures/${f}`);
const modules = ['quickstart', 'bank', 'chat', ...fixtures];

describe('index id numbering', () => {
  it.each(modules)('%s: transform ids equal host ids', name => {
    const { schema } = validateModule(moduleBytes(name), 1 << 24);
    const tables = schema.tables.map(t => ({
      columns: t.columns.map(c => ({
        name: c.name,
        decs: t.indexes.some(i => i.columns.length === 1 && i.columns[0] === c.id) ? ['index'] : [],
      })),
    }));
    const ids = indexIds(tables) as Array<Record<string, number>>;
    schema.tables.forEach((t, i) => {
      for (const index of t.indexes) {
        const column = t.columns[index.columns[0]!]!.name;
        expect(ids[i]![column], `${t.name}.${column}`).toBe(index.id);
      }
    });
  });
});

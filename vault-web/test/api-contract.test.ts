/**
 * The client's contract with the vault: every operation in src/api/operations.ts exists in the vault's live
 * OpenAPI document exactly as in the committed src/api/openapi.json (paths, parameters, bodies, every response),
 * and src/api/schema.gen.ts is what openapi-typescript makes of that file. When a route the UI uses changes, this
 * fails until `pnpm --filter @assets-vault/vault-web api:update` is run and the client compiles again.
 */
// @vitest-environment node
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  generateSchemaTypes,
  readVaultDocument,
  selectOperations,
  type OpenApiDocument,
} from '../scripts/api-document.js';
import { OPERATIONS } from '../src/api/operations.js';

const apiDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'api');
const committed = JSON.parse(fs.readFileSync(path.join(apiDir, 'openapi.json'), 'utf8')) as OpenApiDocument;

describe('the API client against the vault', () => {
  it('uses only operations the vault has, with the committed parameters, bodies and answers', () => {
    const live = selectOperations(readVaultDocument(execFileSync));
    for (const [name, op] of Object.entries(OPERATIONS)) {
      expect({ name, operation: live.paths[op.path]?.[op.method] }).toEqual({
        name,
        operation: committed.paths[op.path]?.[op.method],
      });
    }
    expect(live.components?.schemas).toEqual(committed.components?.schemas);
    expect(Object.keys(committed.paths).sort()).toEqual(
      [...new Set(Object.values(OPERATIONS).map((o) => o.path))].sort(),
    );
  });

  it('has generated types that match the committed document', async () => {
    const generated = await generateSchemaTypes(committed);
    expect(fs.readFileSync(path.join(apiDir, 'schema.gen.ts'), 'utf8')).toBe(generated);
  });
});

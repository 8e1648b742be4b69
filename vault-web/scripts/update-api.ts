/**
 * `pnpm api:update`: asks vault-service for its OpenAPI document (`pnpm openapi`, no database needed), keeps the
 * operations listed in src/api/operations.ts (and the shared schemas they reference), writes src/api/openapi.json
 * and generates src/api/schema.gen.ts from it with openapi-typescript. Run it after changing a route the UI uses.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSchemaTypes, readVaultDocument, selectOperations } from './api-document.js';

const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const live = readVaultDocument(execFileSync);
const selected = selectOperations(live);
fs.writeFileSync(path.join(webDir, 'src/api/openapi.json'), `${JSON.stringify(selected, null, 2)}\n`);
fs.writeFileSync(path.join(webDir, 'src/api/schema.gen.ts'), await generateSchemaTypes(selected));
console.log(`src/api/openapi.json and src/api/schema.gen.ts: ${Object.keys(selected.paths).length} paths`);

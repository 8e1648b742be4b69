/**
 * Wire shapes of the target-instance routes (restore-api.md): the one source of their types and OpenAPI. The
 * shared ones live in the wire contract (shared/src/contract/target-instances.ts), which the Forge app reads too.
 */
import { Type } from '@sinclair/typebox';
import type { TargetInstanceView } from '@assets-vault/shared/contract';
import type { TargetInstance } from './service.js';

export {
  SchemaOptionList,
  TargetInstanceInput,
  TargetInstanceList,
  TargetInstanceView,
} from '@assets-vault/shared/contract';

export const TargetInstanceParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

/** Named fields only, so a new column (or the token) never reaches the wire by accident. */
export function toTargetInstanceView(t: TargetInstance): TargetInstanceView {
  return {
    id: t.id,
    name: t.name,
    url: t.url,
    email: t.email,
    assetsApiBaseUrl: t.assetsApiBaseUrl,
    createdAt: t.createdAt.toISOString(),
    createdBy: t.createdBy,
    lastCheckedAt: t.lastCheckedAt?.toISOString() ?? null,
  };
}

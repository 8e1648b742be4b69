/**
 * The restore API's shapes live in the wire contract (shared/src/contract/restores.ts): the Forge app's signed
 * site API takes and answers the same ones. Re-exported here under the same names.
 */
import { Type } from '@sinclair/typebox';

export {
  AnotherInstanceDestination,
  CurrentInstanceDestination,
  ExistingSchemaDestination,
  IssueFieldsAccepted,
  IssueFieldsStatus,
  NewTargetInstance,
  RestoreAccepted,
  RestoreDestinationInput,
  RestoreDetail,
  RestoreList,
  RestoreListQuery,
  RestoreOptionsInput,
  RestorePreview,
  RestoreRequest,
  RestoreStatus,
  RestoreSummary,
} from '@assets-vault/shared/contract';

export const RestoreIdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

/**
 * Restore objects in Jira issue fields (run after a restore): the Assets custom fields of the issues
 * that referenced backed-up objects (`issueRef` records) are pointed at the restored objects, all
 * Assets fields of one issue in one `PUT` (Jira's per-issue write limit, assets-cloud-api.md §9.2).
 * Idempotent: each issue is read first and only values that still point at an old object change, so
 * running it again writes nothing. Paced by the client's `jira.issue.write` bucket.
 */
import { AssetsApiError, AssetsNotFoundError, AssetsTransportError } from '../assets-client/index.js';
import { ASSETS_FIELD_CUSTOM_TYPE, type AssetsFieldValue, type JiraField } from '../model/index.js';
import { RestorePlanError } from './errors.js';
import { BatchWriter, WorkQueue } from './runtime.js';
import type { IssueFieldResult, RestoreIssueFieldsInput, RestoreIssueFieldsResult } from './types.js';

interface IssueWork {
  issueId: string;
  issueKey: string;
  fields: { fieldId: string; fieldName: string; objectIds: string[] }[];
}

/** One item of an Assets field value, read leniently (`objectId` may come as a number). */
function parseItem(item: unknown): { workspaceId?: string; objectId?: string } {
  if (item === null || typeof item !== 'object') return {};
  const rec = item as { workspaceId?: unknown; id?: unknown; objectId?: unknown };
  const globalId = typeof rec.id === 'string' ? rec.id : undefined;
  const workspaceId =
    typeof rec.workspaceId === 'string' ? rec.workspaceId : globalId?.slice(0, Math.max(0, globalId.lastIndexOf(':')));
  const raw = rec.objectId ?? globalId?.slice(globalId.lastIndexOf(':') + 1);
  const objectId = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw : undefined;
  return { ...(workspaceId ? { workspaceId } : {}), ...(objectId ? { objectId } : {}) };
}

/** Points issue fields at the restored objects; see the module comment. */
export async function restoreIssueFields(input: RestoreIssueFieldsInput): Promise<RestoreIssueFieldsResult> {
  const { client, checkpoints, signal } = input;
  const now = input.now ?? (() => new Date());
  const callOpts = signal ? { signal } : {};
  const state = await checkpoints.loadState();
  if (state?.target === undefined || state.phase !== 'done')
    throw new RestorePlanError('restore_not_finished', 'Issue fields can be restored once the restore has completed');
  if (state.snapshotSha256 !== input.snapshot.manifest.contentSha256)
    throw new RestorePlanError('checkpoint_mismatch', 'These checkpoints belong to another backup');
  const sourceWorkspace = input.snapshot.manifest.source.workspaceId;
  const targetWorkspace = state.target.workspaceId;

  const newIds = new Map<string, string>();
  for await (const row of checkpoints.objectRows()) {
    const o = row.outcome;
    if (o?.targetId !== undefined && (o.action === 'created' || o.action === 'skipped'))
      newIds.set(row.sourceId, o.targetId);
  }

  const issues = new Map<string, IssueWork>();
  for await (const r of input.snapshot.records()) {
    if (r.kind !== 'issueRef') continue;
    let work = issues.get(r.issueKey);
    if (work === undefined) issues.set(r.issueKey, (work = { issueId: r.issueId, issueKey: r.issueKey, fields: [] }));
    work.fields.push({ fieldId: r.fieldId, fieldName: r.fieldName, objectIds: r.objectIds });
  }

  const assetsFields = (await client.listJiraFields(callOpts)).filter(
    (f) => f.schema?.custom === ASSETS_FIELD_CUSTOM_TYPE,
  );
  const fieldFor = (ref: { fieldId: string; fieldName: string }): JiraField | undefined =>
    (state.target?.sameSite ? assetsFields.find((f) => f.id === ref.fieldId) : undefined) ??
    assetsFields.find((f) => f.name === ref.fieldName);

  const result: RestoreIssueFieldsResult = {
    status: 'completed',
    message: 'Operation success',
    issues: issues.size,
    updated: 0,
    unchanged: 0,
    notFound: 0,
    failed: 0,
  };
  const writer = new BatchWriter<IssueFieldResult>((rows) => checkpoints.recordIssueFieldResults(rows), 50, 1000);
  let done = 0;
  const record = (r: IssueFieldResult) => {
    if (r.status === 'updated') result.updated++;
    else if (r.status === 'unchanged') result.unchanged++;
    else if (r.status === 'not_found') result.notFound++;
    else result.failed++;
    writer.add(r);
    input.onProgress?.({ issuesDone: ++done, issuesTotal: issues.size });
  };

  const handle = async (work: IssueWork) => {
    const at = () => now().toISOString();
    const base = { issueId: work.issueId, issueKey: work.issueKey };
    const targets = work.fields
      .map((ref) => ({ ref, field: fieldFor(ref) }))
      .filter((x): x is { ref: IssueWork['fields'][number]; field: JiraField } => x.field !== undefined);
    if (targets.length === 0)
      return record({
        ...base,
        updatedFields: [],
        status: 'failed',
        at: at(),
        error: 'The Assets fields do not exist on the target site',
      });
    try {
      const issue = await client.getIssue(work.issueKey, { ...callOpts, fields: targets.map((t) => t.field.id) });
      const fields: Record<string, AssetsFieldValue[]> = {};
      const updatedFields: string[] = [];
      for (const { ref, field } of targets) {
        const current = issue.fields[field.id];
        const items = Array.isArray(current) ? (current as unknown[]) : [];
        const old = new Set(ref.objectIds);
        let changed = false;
        const next: AssetsFieldValue[] = [];
        const seen = new Set<string>();
        for (const item of items) {
          const parsed = parseItem(item);
          let value = item as AssetsFieldValue;
          if (parsed.workspaceId === sourceWorkspace && parsed.objectId !== undefined && old.has(parsed.objectId)) {
            const mapped = newIds.get(parsed.objectId);
            if (mapped !== undefined && (mapped !== parsed.objectId || targetWorkspace !== sourceWorkspace)) {
              value = { workspaceId: targetWorkspace, id: `${targetWorkspace}:${mapped}`, objectId: mapped };
              changed = true;
            }
          }
          const key = `${parseItem(value).workspaceId ?? ''}:${parseItem(value).objectId ?? JSON.stringify(value)}`;
          if (seen.has(key)) {
            changed = true;
            continue;
          }
          seen.add(key);
          next.push(value);
        }
        if (changed) {
          fields[field.id] = next;
          updatedFields.push(field.name);
        }
      }
      if (updatedFields.length === 0) return record({ ...base, updatedFields: [], status: 'unchanged', at: at() });
      await client.updateIssue(work.issueKey, { fields }, { ...callOpts, notifyUsers: false });
      record({ ...base, updatedFields, status: 'updated', at: at() });
    } catch (err) {
      if (signal?.aborted) throw err;
      if (err instanceof AssetsNotFoundError)
        return record({ ...base, updatedFields: [], status: 'not_found', at: at() });
      if (err instanceof AssetsApiError || err instanceof AssetsTransportError)
        return record({ ...base, updatedFields: [], status: 'failed', at: at(), error: err.message });
      throw err;
    }
  };

  const queue = new WorkQueue<IssueWork>(input.concurrency ?? 4, handle);
  const stop = () => queue.stop();
  signal?.addEventListener('abort', stop, { once: true });
  try {
    for (const work of issues.values()) {
      if (queue.isStopped) break;
      queue.push(work);
      await queue.below(16);
    }
    await queue.idle();
  } finally {
    signal?.removeEventListener('abort', stop);
    queue.stop();
    await queue.drain();
    await writer.flush();
  }
  if (queue.failure !== undefined && !signal?.aborted) throw queue.failure.error;
  if (signal?.aborted) {
    result.status = 'aborted';
    result.message = `Stopped after ${done} of ${issues.size} issues`;
  } else if (result.failed > 0 || result.notFound > 0)
    result.message = `${result.updated} issues updated, ${result.unchanged} already right, ${result.notFound} not found, ${result.failed} failed`;
  return result;
}

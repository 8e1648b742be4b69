/**
 * The backup engine: reads one Assets schema through an AssetsClient and writes a snapshot
 * (SNAPSHOT_FORMAT.md). It runs in a Forge queue consumer (time-boxed invocations) and in the vault,
 * so it can stop at any page boundary (`shouldYield`) and hand back a JSON cursor from which a new
 * engine, in another process, continues; the finished snapshot is the same as an uninterrupted one.
 *
 * Phases: structure (schema, config, icons, statuses, reference types, object types, attributes;
 * a few requests, done in one go) → objects (AQL pages in Key order, each page's histories after
 * it) → issueRefs (per Assets custom field, Jira search `cf[N] is not EMPTY`) → finish.
 * `runBackup` is the driver that shows this order; `BackupRun` holds the writer and the cursor of
 * one invocation and has one method per phase.
 */
import { ConflictError, ValidationError } from '../errors.js';
import { AssetsNotFoundError, type AssetsClient } from '../assets-client/index.js';
import {
  ASSETS_FIELD_CUSTOM_TYPE,
  type AqlPage,
  type JiraField,
  type JiraIssue,
  type ObjectType,
  type ObjectTypeAttribute,
} from '../model/index.js';
import {
  SnapshotWriter,
  toAttributeRecord,
  toHistoryRecord,
  toIconRecord,
  toIssueRefRecord,
  toObjectRecord,
  toObjectTypeRecord,
  toReferenceTypeRecord,
  toSchemaConfigRecord,
  toSchemaRecord,
  toStatusTypeRecord,
  type ChunkSink,
  type SnapshotManifest,
  type SnapshotOptions,
  type SnapshotWriterOptions,
  type SnapshotWriterState,
} from '../snapshot/index.js';

export type BackupOptions = SnapshotOptions;

export type BackupPhase = 'structure' | 'objects' | 'issueRefs' | 'done';

/** Where a backup stopped. Plain JSON: store it with the job and pass it back unchanged. */
export interface BackupCursor {
  cursorVersion: 1;
  schemaId: string;
  options: BackupOptions;
  phase: 'objects' | 'issueRefs';
  /** the schema's objectCount when the backup started (for progress) */
  objectsExpected: number;
  objects: {
    /** AQL offset of the first object of the page being worked on */
    startAt: number;
    /** that page's object records are written; its histories may not all be */
    pageWritten: boolean;
    /**
     * what was read of that page once it is written: a resumed run carries on from it instead of
     * reading the page again (deletions meanwhile would shift other objects into it unwritten).
     * Absent in cursors saved before it existed: such a page is read again.
     */
    writtenPage?: WrittenPage;
    /** histories of that page already written (objects in page order) */
    historyDone: number;
    /** how many objects of the previous page this request re-reads (see backUpObjects) */
    overlap: number;
    /** ids of the previous two pages: objects seen there are not written again */
    previousPageIds: string[];
    earlierPageIds: string[];
  };
  issueRefs: { fieldIndex: number; issuesDone: number };
  stats: BackupStats;
  writer: SnapshotWriterState;
}

export interface WrittenPage {
  /** every object id the page held (the next page's overlap is checked against them) */
  pageIds: string[];
  /** the ids this page wrote (not seen on an earlier page), whose histories follow */
  objectIds: string[];
  nextStart: number;
  overlap: number;
  last: boolean;
}

export interface BackupStats {
  pages: number;
  objects: number;
  /** AQL pages requested again one page further back (deletions shifted more than the overlap) */
  pageRetries: number;
  /** page boundaries where deletions shifted the data further than even that retry could cover */
  possibleGaps: number;
  historyRequests: number;
  /** objects deleted after their page was read and before their history was (absent in older cursors) */
  historiesMissing?: number;
  issuesScanned: number;
  issueRefs: number;
  /** how many times this backup was resumed from a cursor */
  resumes: number;
}

export interface BackupProgress {
  phase: BackupPhase;
  /** objects written so far */
  objects: number;
  /** objects the schema reported at the start (`objectCount`) */
  objectsExpected: number;
  pages: number;
  historyRequests: number;
  issuesScanned: number;
  issueRefs: number;
  chunks: number;
}

export type BackupResult =
  | { done: true; manifest: SnapshotManifest; stats: BackupStats }
  | { done: false; cursor: BackupCursor; stats: BackupStats };

export interface RunBackupInput {
  client: AssetsClient;
  schemaId: string;
  /** the tenant, from the Forge context or the vault's instance record, never from user input */
  source: { cloudId: string; siteUrl: string };
  options: BackupOptions;
  sink: ChunkSink;
  /** continue a backup that returned `{ done: false }` */
  cursor?: BackupCursor;
  /** checked at every page boundary; true = checkpoint and return a cursor (e.g. a Forge time budget) */
  shouldYield?: () => boolean;
  onProgress?: (progress: BackupProgress) => void;
  /** AQL page size; default 500 (the server's echoed size wins) */
  pageSize?: number;
  /** histories fetched in parallel (the client's pacer still applies); default 8 */
  historyConcurrency?: number;
  /** chunk limits and compression of the snapshot */
  writer?: Omit<SnapshotWriterOptions, 'sink'>;
  now?: () => Date;
  signal?: AbortSignal;
}

const DEFAULT_PAGE_SIZE = 500;
const HISTORY_BATCH = 50;
const EMPTY_PAGE: AqlPage = { startAt: 0, maxResults: 0, isLast: true, values: [] };
/**
 * Objects of the previous page re-read by each AQL request (a quarter of a page at most). Small on
 * purpose: it absorbs a few deletions per page for 2% more transfer; larger shifts take the
 * one-page-back retry instead.
 */
const MAX_PAGE_OVERLAP = 10;
const ISSUE_PAGE_SIZE = 100;
const MEMBERSHIP_BATCH = 200;

/**
 * Runs (or continues) one backup; see the module comment. A failure is reported only after every
 * request and chunk upload the backup started has settled: nothing reaches the API or the sink after.
 */
export async function runBackup(input: RunBackupInput): Promise<BackupResult> {
  if (!/^[0-9]+$/.test(input.schemaId)) throw new ValidationError('schemaId must be a numeric id');
  const started: { writer?: SnapshotWriter } = {};
  try {
    const workspaceId = await input.client.getWorkspaceId(callOptions(input));
    // The order of a backup. Each phase can stop at a page boundary and hand back the cursor.
    let run: BackupRun;
    if (input.cursor) {
      run = BackupRun.resume(input, input.cursor, workspaceId, started);
    } else {
      run = await BackupRun.start(input, workspaceId, started);
      if (run.shouldYield()) return await run.pause();
    }
    if (run.phase === 'objects') {
      if (await run.backUpObjects()) return await run.pause();
      if (input.options.issueRefs && run.shouldYield()) return await run.pause();
    }
    if (input.options.issueRefs && (await run.backUpIssueRefs())) return await run.pause();
    return await run.finish();
  } catch (err) {
    await started.writer?.settled();
    throw err;
  }
}

const callOptions = (input: RunBackupInput) => (input.signal ? { signal: input.signal } : {});

/** One invocation of a backup: the snapshot writer, the cursor it advances, one method per phase. */
class BackupRun {
  private readonly client: AssetsClient;
  private readonly schemaId: string;
  private readonly options: BackupOptions;
  private readonly callOpts: { signal?: AbortSignal };
  // Measured (bench/backup.bench.ts): 1,000-object pages are ~9 MB of JSON each and peaked at
  // ~350 MB RSS; 500-object pages peaked at ~210 MB and ran faster, at ~230 AQL requests/min,
  // a quarter of the documented limit.
  private readonly pageSize: number;
  /** true = checkpoint and return a cursor (checked at page boundaries) */
  readonly shouldYield: () => boolean;

  private constructor(
    private readonly input: RunBackupInput,
    private readonly workspaceId: string,
    private readonly writer: SnapshotWriter,
    private readonly cursor: BackupCursor,
  ) {
    this.client = input.client;
    this.schemaId = input.schemaId;
    this.options = input.options;
    this.callOpts = callOptions(input);
    this.pageSize = input.pageSize ?? DEFAULT_PAGE_SIZE;
    this.shouldYield = input.shouldYield ?? (() => false);
  }

  /** A new backup: the schema record opens the snapshot, the structure follows in one go. */
  static async start(
    input: RunBackupInput,
    workspaceId: string,
    started: { writer?: SnapshotWriter },
  ): Promise<BackupRun> {
    const { client, schemaId, options } = input;
    const now = input.now ?? (() => new Date());
    const callOpts = callOptions(input);
    const schema = await client.getObjectSchema(schemaId, callOpts);
    const objectsExpected = schema.objectCount;
    const writer = (started.writer = SnapshotWriter.create(
      {
        source: { cloudId: input.source.cloudId, siteUrl: input.source.siteUrl, workspaceId },
        schema: { id: schema.id, name: schema.name, key: schema.objectSchemaKey },
        options: { history: options.history, icons: options.icons, issueRefs: options.issueRefs },
        createdAt: now().toISOString(),
      },
      { ...input.writer, sink: input.sink },
    ));
    input.onProgress?.(progressOf('structure', undefined, objectsExpected, writer));
    await writer.write(toSchemaRecord(schema));
    await writeStructure(client, schemaId, options, writer, callOpts);
    const cursor: BackupCursor = {
      cursorVersion: 1,
      schemaId,
      options: { ...options },
      phase: 'objects',
      objectsExpected,
      objects: { startAt: 0, pageWritten: false, historyDone: 0, overlap: 0, previousPageIds: [], earlierPageIds: [] },
      issueRefs: { fieldIndex: 0, issuesDone: 0 },
      stats: {
        pages: 0,
        objects: 0,
        pageRetries: 0,
        possibleGaps: 0,
        historyRequests: 0,
        historiesMissing: 0,
        issuesScanned: 0,
        issueRefs: 0,
        resumes: 0,
      },
      writer: await writer.checkpoint(),
    };
    return new BackupRun(input, workspaceId, writer, cursor);
  }

  /** A backup that returned `{ done: false }`, continued from its cursor (possibly in another process). */
  static resume(
    input: RunBackupInput,
    saved: BackupCursor,
    workspaceId: string,
    started: { writer?: SnapshotWriter },
  ): BackupRun {
    const cursor = structuredClone(saved);
    checkCursor(cursor, input, workspaceId);
    cursor.stats.resumes += 1;
    const writer = (started.writer = SnapshotWriter.resume(cursor.writer, { ...input.writer, sink: input.sink }));
    return new BackupRun(input, workspaceId, writer, cursor);
  }

  get phase(): BackupCursor['phase'] {
    return this.cursor.phase;
  }

  /** Checkpoints the writer and hands back a copy of the cursor. */
  async pause(): Promise<BackupResult> {
    this.cursor.writer = await this.writer.checkpoint();
    return { done: false, cursor: structuredClone(this.cursor), stats: { ...this.cursor.stats } };
  }

  private progress(phase: BackupPhase): BackupProgress {
    return progressOf(phase, this.cursor.stats, this.cursor.objectsExpected, this.writer);
  }

  // -------------------------------------------------------------------------------------------
  // objects (+ histories)

  /**
   * AQL offset paging over a live schema: an object deleted from an already-read page shifts the
   * rest back and the next offset would skip objects. So each request starts `overlap` objects
   * before the end of the previous page, and objects seen in the last two pages are not written
   * again. When even the overlap moved past (the first object is new), the request is repeated one
   * page further back (still inside the two remembered pages); a shift beyond that is counted as
   * a possible gap and reported in the manifest warnings.
   * Returns true when it paused; after the last page the cursor moves on to `issueRefs`.
   */
  async backUpObjects(): Promise<boolean> {
    const o = this.cursor.objects;
    const pages = new AqlPageReader(
      this.client,
      `objectSchemaId = ${this.schemaId} ORDER BY Key ASC`,
      this.pageSize,
      this.input.signal,
    );
    pages.prefetch(o.pageWritten && o.writtenPage ? undefined : o.startAt);
    try {
      for (;;) {
        let written = o.pageWritten ? o.writtenPage : undefined;
        if (written) {
          if (!written.last) pages.prefetch(written.nextStart);
        } else {
          written = await this.writePage(pages, await pages.take(o.startAt));
        }
        if (this.options.history && (await this.backUpHistories(written, pages.signal))) return true;
        if (written.last) {
          this.cursor.phase = 'issueRefs';
          this.input.onProgress?.(this.progress('objects'));
          return false;
        }
        o.startAt = written.nextStart;
        o.overlap = written.overlap;
        o.pageWritten = false;
        delete o.writtenPage;
        o.historyDone = 0;
        o.earlierPageIds = o.previousPageIds;
        o.previousPageIds = written.pageIds;
        this.input.onProgress?.(this.progress('objects'));
        if (this.shouldYield()) return true;
      }
    } finally {
      await pages.close();
    }
  }

  /** Writes the objects of a fetched page not seen on the two pages before it, and records the page in the cursor. */
  private async writePage(pages: AqlPageReader, fetched: AqlPage): Promise<WrittenPage> {
    const o = this.cursor.objects;
    const stats = this.cursor.stats;
    let page = fetched;
    const seen = new Set([...o.earlierPageIds, ...o.previousPageIds]);
    const first = page.values[0];
    if (o.overlap > 0 && first !== undefined && !seen.has(first.id)) {
      // the overlap moved past what we read: deletions shifted more than `overlap` objects
      const back = Math.max(0, o.startAt - Math.max(this.pageSize, page.maxResults));
      page = await pages.fetch(back);
      o.startAt = back;
      stats.pageRetries += 1;
      const again = page.values[0];
      if (back > 0 && again !== undefined && !seen.has(again.id)) stats.possibleGaps += 1;
    }
    const echoed = page.maxResults > 0 ? page.maxResults : this.pageSize;
    const last = page.isLast || page.values.length === 0 || page.values.length < echoed;
    const overlap = last ? 0 : Math.min(MAX_PAGE_OVERLAP, Math.floor(echoed / 4));
    const objects = page.values.filter((obj) => !seen.has(obj.id));
    const written: WrittenPage = {
      pageIds: page.values.map((obj) => obj.id),
      objectIds: objects.map((obj) => obj.id),
      nextStart: o.startAt + page.values.length - overlap,
      overlap,
      last,
    };
    // convert, then let the parsed page go before asking for the next one: a parsed page is
    // many times larger than its records, so memory holds one parsed page at a time
    const records = o.pageWritten ? [] : objects.map(toObjectRecord);
    objects.length = 0;
    page = EMPTY_PAGE;
    // the server renders the next page while we compress, upload and fetch histories
    pages.prefetch(last ? undefined : written.nextStart);
    if (!o.pageWritten) {
      for (const record of records) await this.writer.write(record);
      records.length = 0;
      stats.objects += written.objectIds.length;
      stats.pages += 1;
      o.pageWritten = true;
      o.historyDone = 0;
    }
    o.writtenPage = written;
    return written;
  }

  /** The histories of a written page, in batches; true when it paused between two batches. */
  private async backUpHistories(written: WrittenPage, pageSignal: AbortSignal): Promise<boolean> {
    const o = this.cursor.objects;
    while (o.historyDone < written.objectIds.length) {
      if (this.shouldYield()) return true;
      const batch = written.objectIds.slice(o.historyDone, o.historyDone + HISTORY_BATCH);
      await this.writeHistories(batch, pageSignal);
      o.historyDone += batch.length;
    }
    return false;
  }

  private async writeHistories(objectIds: string[], pageSignal: AbortSignal): Promise<void> {
    const stats = this.cursor.stats;
    const results = await mapWithConcurrency(
      objectIds,
      this.input.historyConcurrency ?? 8,
      pageSignal,
      // an object deleted since its page was read has no history to read: it stays in the backup without one
      (id, batchSignal) =>
        this.client.getObjectHistory(id, { signal: batchSignal, asc: true }).catch((err: unknown) => {
          if (err instanceof AssetsNotFoundError) return undefined;
          throw err;
        }),
    );
    stats.historyRequests += objectIds.length;
    for (let i = 0; i < objectIds.length; i++) {
      const entries = results[i];
      if (entries === undefined) stats.historiesMissing = (stats.historiesMissing ?? 0) + 1;
      else if (entries.length > 0) await this.writer.write(toHistoryRecord(objectIds[i] ?? '', entries));
    }
  }

  // -------------------------------------------------------------------------------------------
  // Jira issues pointing at this schema's objects

  /** Returns true when it paused. */
  async backUpIssueRefs(): Promise<boolean> {
    const fields = assetsFields(await this.client.listJiraFields(this.callOpts));
    const state = this.cursor.issueRefs;
    while (state.fieldIndex < fields.length) {
      const field = fields[state.fieldIndex] as JiraField & { customId: number };
      // Jira page tokens are not kept across invocations: a resumed field is searched again and the
      // issues already handled are skipped (same JQL and order, so the same issues come first).
      let skip = state.issuesDone;
      const search = this.client.searchIssuePages({
        ...this.callOpts,
        jql: `cf[${field.customId}] is not EMPTY ORDER BY key ASC`,
        fields: [field.id],
        pageSize: ISSUE_PAGE_SIZE,
      });
      for await (const page of search) {
        const issues = page.issues.slice(Math.min(skip, page.issues.length));
        skip -= page.issues.length - issues.length;
        if (issues.length === 0) continue;
        await this.writeIssueRefs(field, issues);
        state.issuesDone += issues.length;
        this.cursor.stats.issuesScanned += issues.length;
        this.input.onProgress?.(this.progress('issueRefs'));
        if (this.shouldYield()) return true;
      }
      state.fieldIndex += 1;
      state.issuesDone = 0;
    }
    return false;
  }

  private async writeIssueRefs(field: JiraField, issues: JiraIssue[]): Promise<void> {
    const perIssue = issues.map((issue) => ({
      issue,
      ids: assetsObjectIds(issue.fields[field.id], this.workspaceId),
    }));
    const candidates = [...new Set(perIssue.flatMap((x) => x.ids))];
    const members = new Set<string>();
    for (let i = 0; i < candidates.length; i += MEMBERSHIP_BATCH) {
      const batch = candidates.slice(i, i + MEMBERSHIP_BATCH);
      const ql = `objectSchemaId = ${this.schemaId} AND objectId IN (${batch.join(', ')})`;
      for await (const obj of this.client.aqlObjects(ql, {
        ...this.callOpts,
        includeAttributes: false,
        pageSize: batch.length,
      }))
        members.add(obj.id);
    }
    for (const { issue, ids } of perIssue) {
      const objectIds = ids.filter((id) => members.has(id));
      if (objectIds.length === 0) continue;
      await this.writer.write(
        toIssueRefRecord({
          issueId: issue.id,
          issueKey: issue.key,
          fieldId: field.id,
          fieldName: field.name,
          objectIds,
        }),
      );
      this.cursor.stats.issueRefs += 1;
    }
  }

  // -------------------------------------------------------------------------------------------
  // finish

  /** Compares what was written with the schema now, closes the snapshot and returns its manifest. */
  async finish(): Promise<BackupResult> {
    const stats = this.cursor.stats;
    const now = this.input.now ?? (() => new Date());
    const warnings: string[] = [];
    const counted = await this.client.aqlTotalCount(`objectSchemaId = ${this.schemaId}`, this.callOpts);
    if (counted !== stats.objects) {
      warnings.push(
        `Objects changed while the backup ran: ${stats.objects} written, ${counted} in the schema at the end`,
      );
    }
    if (stats.possibleGaps > 0) {
      warnings.push(
        `Many objects were deleted while the backup ran: objects near ${stats.possibleGaps} page boundaries may be missing; run the backup again`,
      );
    }
    const historiesMissing = stats.historiesMissing ?? 0;
    if (historiesMissing > 0) {
      warnings.push(
        `${historiesMissing} objects were deleted while the backup ran, before their history was read: they are in the backup without history`,
      );
    }
    const manifest = await this.writer.finish({ completedAt: now().toISOString(), warnings });
    this.input.onProgress?.(this.progress('done'));
    return { done: true, manifest, stats: { ...stats } };
  }
}

function progressOf(
  phase: BackupPhase,
  stats: BackupStats | undefined,
  objectsExpected: number,
  writer: SnapshotWriter,
): BackupProgress {
  return {
    phase,
    objects: stats?.objects ?? 0,
    objectsExpected,
    pages: stats?.pages ?? 0,
    historyRequests: stats?.historyRequests ?? 0,
    issuesScanned: stats?.issuesScanned ?? 0,
    issueRefs: stats?.issueRefs ?? 0,
    chunks: writer.chunkCount,
  };
}

/**
 * AQL pages of one query, read one request ahead: the server renders the next page while the
 * engine writes the current one. `close` stops the request in flight and waits for it to settle,
 * so no request outlives the phase.
 */
class AqlPageReader {
  private readonly controller = new AbortController();
  private ahead: Promise<AqlPage> | undefined;
  private readonly detach: () => void;

  constructor(
    private readonly client: AssetsClient,
    private readonly ql: string,
    private readonly pageSize: number,
    signal: AbortSignal | undefined,
  ) {
    const abortAll = () => this.controller.abort(signal?.reason);
    signal?.addEventListener('abort', abortAll, { once: true });
    this.detach = () => signal?.removeEventListener('abort', abortAll);
  }

  /** Aborted when the phase ends or the caller's signal aborts. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The page at `startAt`, read now. */
  async fetch(startAt: number): Promise<AqlPage> {
    for await (const page of this.client.aqlPages(this.ql, {
      startAt,
      pageSize: this.pageSize,
      includeAttributes: true,
      signal: this.controller.signal,
    }))
      return page;
    return { startAt, maxResults: this.pageSize, isLast: true, values: [] };
  }

  /** Starts reading the page at `startAt` in the background (undefined: nothing to read ahead). */
  prefetch(startAt: number | undefined): void {
    this.ahead = startAt === undefined ? undefined : this.background(startAt);
  }

  /** The page read ahead, or the one at `startAt` when nothing was. */
  take(startAt: number): Promise<AqlPage> {
    return this.ahead ?? this.background(startAt);
  }

  async close(): Promise<void> {
    this.detach();
    this.controller.abort();
    await this.ahead?.catch(() => undefined);
  }

  private background(startAt: number): Promise<AqlPage> {
    const next = this.fetch(startAt);
    next.catch(() => undefined);
    return next;
  }
}

/** Schema config, icons, statuses, reference types, object types and attributes: a few requests, in one go. */
async function writeStructure(
  client: AssetsClient,
  schemaId: string,
  options: BackupOptions,
  writer: SnapshotWriter,
  callOpts: { signal?: AbortSignal },
): Promise<void> {
  await writer.write(toSchemaConfigRecord(await client.getSchemaConfig(schemaId, callOpts)));

  const types = orderTypes(await client.listObjectTypes(schemaId, { ...callOpts, includeObjectCounts: true }));
  if (options.icons) {
    const iconIds = [...new Set(types.map((t) => t.icon.id))].sort(byNumericId);
    for (const id of iconIds) {
      const icon = await client.getIcon(id, callOpts);
      const [png16, png48] = [await client.getIconPng(id, 16, callOpts), await client.getIconPng(id, 48, callOpts)];
      await writer.write(toIconRecord(icon, { png16, png48 }));
    }
  }
  const statuses = await client.listStatusTypes({ ...callOpts, objectSchemaId: schemaId });
  for (const s of [...statuses].sort((a, b) => byNumericId(a.id, b.id))) await writer.write(toStatusTypeRecord(s));
  const refTypes = await client.listReferenceTypes({ ...callOpts, objectSchemaId: schemaId });
  for (const r of [...refTypes].sort((a, b) => byNumericId(a.id ?? '', b.id ?? '') || a.name.localeCompare(b.name))) {
    await writer.write(toReferenceTypeRecord(r));
  }
  for (const t of types) await writer.write(toObjectTypeRecord(t));

  const owned = await attributesByOwner(client, schemaId, types, callOpts);
  for (const t of types) {
    const list = (owned.get(t.id) ?? []).sort((a, b) => a.position - b.position || byNumericId(a.id, b.id));
    for (const a of list) await writer.write(toAttributeRecord(a, t.id));
  }
}

/** Each attribute definition once, on its owning type. */
async function attributesByOwner(
  client: AssetsClient,
  schemaId: string,
  types: ObjectType[],
  callOpts: { signal?: AbortSignal },
): Promise<Map<string, ObjectTypeAttribute[]>> {
  const typeIds = new Set(types.map((t) => t.id));
  const owned = new Map<string, ObjectTypeAttribute[]>();
  const all = await client.listSchemaAttributes(schemaId, { ...callOpts, extended: true });
  if (all.every((a) => a.objectType !== undefined && typeIds.has(a.objectType.id))) {
    for (const a of all) {
      const owner = a.objectType?.id ?? '';
      owned.set(owner, [...(owned.get(owner) ?? []), a]);
    }
    return owned;
  }
  // `extended` did not tell the owner: ask each type for its own attributes (§4.3)
  for (const t of types) {
    owned.set(t.id, await client.listObjectTypeAttributes(t.id, { ...callOpts, excludeParentAttributes: true }));
  }
  return owned;
}

function checkCursor(cursor: BackupCursor, input: RunBackupInput, workspaceId: string): void {
  if (cursor.cursorVersion !== 1)
    throw new ValidationError('Unsupported backup cursor version', { code: 'invalid_backup_cursor' });
  const same =
    cursor.schemaId === input.schemaId &&
    cursor.options.history === input.options.history &&
    cursor.options.icons === input.options.icons &&
    cursor.options.issueRefs === input.options.issueRefs &&
    cursor.writer.source.cloudId === input.source.cloudId &&
    cursor.writer.source.siteUrl === input.source.siteUrl;
  if (!same)
    throw new ValidationError('The backup cursor belongs to another schema, site or set of options', {
      code: 'invalid_backup_cursor',
    });
  if (cursor.writer.source.workspaceId !== workspaceId) {
    throw new ConflictError('The site now reports another Assets workspace than when this backup started', {
      code: 'workspace_changed',
    });
  }
}

/** Parents before children, siblings by position then id; types whose parent is missing come last. */
function orderTypes(types: ObjectType[]): ObjectType[] {
  const byParent = new Map<string, ObjectType[]>();
  const ids = new Set(types.map((t) => t.id));
  for (const t of types) {
    const parent = t.parentObjectTypeId === undefined ? '' : String(t.parentObjectTypeId);
    const key = parent !== '' && ids.has(parent) ? parent : '';
    byParent.set(key, [...(byParent.get(key) ?? []), t]);
  }
  const out: ObjectType[] = [];
  const visit = (parent: string) => {
    const children = (byParent.get(parent) ?? []).sort((a, b) => a.position - b.position || byNumericId(a.id, b.id));
    for (const c of children) {
      if (out.includes(c)) continue;
      out.push(c);
      visit(c.id);
    }
  };
  visit('');
  // a cycle in parent links (never valid, but never lose a type over it)
  for (const t of types.sort((a, b) => byNumericId(a.id, b.id))) if (!out.includes(t)) out.push(t);
  return out;
}

function assetsFields(fields: JiraField[]): Array<JiraField & { customId: number }> {
  const out: Array<JiraField & { customId: number }> = [];
  for (const f of fields) {
    const customId = f.schema?.customId ?? Number(/^customfield_(\d+)$/.exec(f.id)?.[1]);
    if (f.schema?.custom === ASSETS_FIELD_CUSTOM_TYPE && Number.isInteger(customId)) out.push({ ...f, customId });
  }
  return out.sort((a, b) => a.customId - b.customId);
}

/** Object ids of an Assets field value in this workspace: `[{ workspaceId, id: "<ws>:<objectId>", objectId }]`. */
export function assetsObjectIds(value: unknown, workspaceId: string): string[] {
  if (!Array.isArray(value)) return [];
  const out: string[] = [];
  for (const item of value) {
    if (item === null || typeof item !== 'object') continue;
    const rec = item as { workspaceId?: unknown; id?: unknown; objectId?: unknown };
    const globalId = typeof rec.id === 'string' ? rec.id : undefined;
    const ws = typeof rec.workspaceId === 'string' ? rec.workspaceId : globalId?.slice(0, globalId.lastIndexOf(':'));
    if (ws !== workspaceId) continue;
    const raw = rec.objectId ?? globalId?.slice(globalId.lastIndexOf(':') + 1);
    const id = typeof raw === 'number' ? String(raw) : raw;
    if (typeof id === 'string' && /^[0-9]+$/.test(id) && !out.includes(id)) out.push(id);
  }
  return out;
}

function byNumericId(a: string, b: string): number {
  const x = Number(a),
    y = Number(b);
  return Number.isFinite(x) && Number.isFinite(y) ? x - y : a < b ? -1 : a > b ? 1 : 0;
}

/**
 * `fn` over `items`, at most `concurrency` at a time, each call given a signal that `signal` aborts.
 * The first failure aborts the other calls and starts no more; it is thrown once every started call
 * has settled, so no request of the batch outlives it (nor retries in the background).
 */
async function mapWithConcurrency<T, R>(
  items: readonly T[],
  concurrency: number,
  signal: AbortSignal,
  fn: (item: T, signal: AbortSignal) => Promise<R>,
): Promise<R[]> {
  signal.throwIfAborted();
  const batch = new AbortController();
  const abortBatch = () => batch.abort(signal.reason);
  signal.addEventListener('abort', abortBatch, { once: true });
  const results = new Array<R>(items.length);
  let firstFailure: { error: unknown } | undefined;
  let nextIndex = 0;
  const worker = async () => {
    while (nextIndex < items.length && !batch.signal.aborted) {
      const i = nextIndex++;
      try {
        results[i] = await fn(items[i] as T, batch.signal);
      } catch (error) {
        // the siblings' AbortErrors that follow are consequences, not the cause
        firstFailure ??= { error };
        batch.abort();
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  } finally {
    signal.removeEventListener('abort', abortBatch);
  }
  if (firstFailure !== undefined) throw firstFailure.error;
  signal.throwIfAborted();
  return results;
}

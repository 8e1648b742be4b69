/** Jira routes (relative to `/rest`): workspace discovery, fields, issues, enhanced JQL search (§1.1, §9). */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { JiraIssueUpdateSchema, JiraSearchRequestSchema } from '@assets-vault/shared/model';
import { ctx, params, q, qInt, qStr, sendError } from '../http.js';
import { checkBody } from '../store/records.js';
import { badRequestMessage } from '../errors.js';
import { decodePageToken, encodePageToken, renderIssue, searchIssues } from '../jql.js';
import { renderField } from '../site.js';

/** ids/keys only may be paged up to 5000, issues with fields up to 100 (Jira enhanced search). */
const MAX_WITH_FIELDS = 100;
const MAX_IDS_ONLY = 5000;

function fieldList(raw: unknown): string[] | undefined {
  if (Array.isArray(raw)) return raw.map(String);
  if (typeof raw === 'string' && raw !== '')
    return raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  return undefined;
}

function search(
  req: FastifyRequest,
  input: { jql: string; fields?: string[]; maxResults?: number; nextPageToken?: string },
) {
  const { site } = ctx(req);
  const issues = searchIssues(site.data, input.jql);
  const fields = input.fields ?? [];
  const idsOnly = fields.every((f) => f === 'id' || f === 'key');
  const cap = idsOnly ? MAX_IDS_ONLY : MAX_WITH_FIELDS;
  const max = Math.max(1, Math.min(input.maxResults ?? 50, cap));
  const offset = input.nextPageToken ? decodePageToken(input.jql, input.nextPageToken) : 0;
  const page = issues.slice(offset, offset + max);
  const isLast = offset + page.length >= issues.length;
  return {
    issues: page.map((i) =>
      renderIssue(
        site.data,
        i,
        fields.filter((f) => f !== 'id' && f !== 'key'),
        site.info.siteUrl,
      ),
    ),
    ...(isLast ? {} : { nextPageToken: encodePageToken(input.jql, offset + page.length) }),
    isLast,
  };
}

export function jiraRoutes(app: FastifyInstance): void {
  app.get('/servicedeskapi/assets/workspace', async (req) => {
    const { site } = ctx(req);
    const start = qInt(q(req), 'start', 0);
    const limit = Math.max(1, qInt(q(req), 'limit', 50, 1));
    const values = [{ workspaceId: site.info.workspaceId }].slice(start, start + limit);
    return {
      size: values.length,
      start,
      limit,
      isLastPage: true,
      _links: {
        base: site.info.siteUrl,
        context: '',
        self: `${site.info.siteUrl}/rest/servicedeskapi/assets/workspace`,
      },
      values,
    };
  });

  app.get('/api/3/myself', async (req) => {
    const { site } = ctx(req);
    const u = site.data.user(site.actorAccountId);
    return {
      accountId: site.actorAccountId,
      accountType: 'atlassian',
      emailAddress: u?.email,
      displayName: u?.displayName,
      active: true,
    };
  });

  // Permissions of the calling user; by default the site admin has every permission asked for.
  app.get('/api/3/mypermissions', async (req) => {
    const { site } = ctx(req);
    const wanted = (qStr(q(req), 'permissions') ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);
    if (wanted.length === 0) throw badRequestMessage('The permissions query parameter is required.');
    return {
      permissions: Object.fromEntries(
        wanted.map((key, i) => [
          key,
          {
            id: String(i + 1),
            key,
            name: key.replace(/_/g, ' ').toLowerCase(),
            type: 'GLOBAL',
            description: `${key} permission`,
            havePermission: site.data.hasPermission(key),
          },
        ]),
      ),
    };
  });

  app.get('/api/3/serverInfo', async (req) => {
    const { site } = ctx(req);
    return { baseUrl: site.info.siteUrl, deploymentType: 'Cloud', version: '1001.0.0-SNAPSHOT', serverTitle: 'Jira' };
  });

  app.get('/api/3/field', async (req) => ctx(req).site.data.fieldList().map(renderField));

  app.get('/api/3/issue/:key', async (req) => {
    const { site } = ctx(req);
    const issue = site.data.getIssue(params(req).key ?? '');
    return renderIssue(site.data, issue, fieldList(qStr(q(req), 'fields')), site.info.siteUrl);
  });

  app.put('/api/3/issue/:key', async (req, reply) => {
    const { site } = ctx(req);
    const issue = site.data.getIssue(params(req).key ?? '');
    const limited = site.traffic.issueWrite(issue.key);
    if (limited) {
      return sendError(
        reply,
        429,
        { errorMessages: ['Rate limit exceeded for writes to this issue'], errors: {} },
        site.knobs().errorBodyStyle,
        limited,
      );
    }
    checkBody(JiraIssueUpdateSchema, req.body);
    site.data.updateIssue(issue, (req.body as { fields: Record<string, unknown> }).fields);
    return reply.code(204).send();
  });

  app.post('/api/3/search/jql', async (req) => {
    checkBody(JiraSearchRequestSchema, req.body);
    const b = req.body as { jql: string; fields?: string[]; maxResults?: number; nextPageToken?: string };
    return search(req, b);
  });

  app.get('/api/3/search/jql', async (req) => {
    const query = q(req);
    checkBody(Type.Object({ jql: Type.String() }), { jql: qStr(query, 'jql') });
    const token = qStr(query, 'nextPageToken');
    return search(req, {
      jql: qStr(query, 'jql') ?? '',
      ...(fieldList(qStr(query, 'fields')) ? { fields: fieldList(qStr(query, 'fields')) } : {}),
      maxResults: qInt(query, 'maxResults', 50, 1),
      ...(token ? { nextPageToken: token } : {}),
    });
  });
}

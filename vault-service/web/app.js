// The vault's minimal page: sign-in form, then the site's backed-up schemas and their backups.
// Only same-origin fetches with the session cookie; writes send the CSRF header the vault requires.
'use strict';

const $ = (id) => document.getElementById(id);

function showError(message) {
  const el = $('error');
  el.textContent = message;
  el.hidden = false;
}

async function api(path, init = {}) {
  const res = await fetch(path, {
    credentials: 'same-origin',
    ...init,
    headers: { accept: 'application/json', ...(init.headers || {}) },
  });
  if (res.status === 401) return { status: 401 };
  if (!res.ok) return { status: res.status, error: await res.json().catch(() => ({})) };
  return { status: res.status, body: res.status === 204 ? undefined : await res.json() };
}

function cell(row, text) {
  const td = document.createElement('td');
  td.textContent = text === undefined || text === null ? '' : String(text);
  row.appendChild(td);
  return td;
}

function formatDate(value) {
  return value ? new Date(value).toLocaleString() : 'never';
}

// Per backup: export links (the browser downloads the attachment) and an objects search box.
function backupTools(backup) {
  const td = document.createElement('td');
  if (backup.browse === 'preparing') {
    // browse tables are being rebuilt from the stored chunks (after an upgrade or a database crash)
    td.textContent = 'Preparing for browsing…';
    return td;
  }
  for (const format of ['csv', 'xlsx', 'json']) {
    const a = document.createElement('a');
    a.href = `/api/v1/backups/${encodeURIComponent(backup.id)}/export?format=${format}`;
    a.textContent = format.toUpperCase();
    a.setAttribute('download', '');
    td.append(a, ' ');
  }
  const form = document.createElement('form');
  const input = document.createElement('input');
  input.type = 'search';
  input.placeholder = backup.search === 'indexing' ? 'Search objects (index building: may be slow)' : 'Search objects';
  input.setAttribute('aria-label', `Search objects of backup ${backup.n}`);
  const button = document.createElement('button');
  button.type = 'submit';
  button.textContent = 'Search';
  form.append(input, button);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void searchObjects(backup, input.value);
  });
  td.appendChild(form);
  return td;
}

async function searchObjects(backup, q) {
  const result = await api(
    `/api/v1/backups/${encodeURIComponent(backup.id)}/objects?limit=50&q=${encodeURIComponent(q)}`,
  );
  if (result.status !== 200) return showError('Could not search this backup.');
  let list = $('objects');
  if (!list) {
    list = document.createElement('ul');
    list.id = 'objects';
    $('backups').appendChild(list);
  }
  list.replaceChildren();
  for (const item of result.body.items || []) {
    const li = document.createElement('li');
    li.textContent = `${item.key} — ${item.label}`;
    list.appendChild(li);
  }
  if (result.body.nextCursor) {
    const li = document.createElement('li');
    li.textContent = 'More results: refine the search.';
    list.appendChild(li);
  }
}

async function showBackups(schema) {
  const result = await api(`/api/v1/schemas/${encodeURIComponent(schema.schemaId)}/backups`);
  if (result.status !== 200) return showError('Could not load the backups of this schema.');
  $('backups-title').textContent = `Backups of ${schema.name}`;
  const body = $('backups').querySelector('tbody');
  body.replaceChildren();
  for (const backup of result.body.items || []) {
    const row = document.createElement('tr');
    cell(row, backup.n);
    cell(row, formatDate(backup.backupDate));
    cell(row, backup.objects);
    cell(row, backup.type);
    cell(row, backup.historyStatus);
    cell(row, backup.objectsInIssuesStatus);
    row.appendChild(backupTools(backup));
    body.appendChild(row);
  }
  $('backups').hidden = false;
}

async function showHome(me) {
  $('who-text').textContent = `${me.email} · ${me.site.siteUrl}`;
  $('who').hidden = false;
  $('home').hidden = false;
  const result = await api('/api/v1/schemas');
  const items = result.status === 200 ? result.body.items || [] : [];
  if (items.length === 0) {
    $('schemas-empty').hidden = false;
    return;
  }
  const body = $('schemas').querySelector('tbody');
  for (const schema of items) {
    const row = document.createElement('tr');
    row.className = 'clickable';
    cell(row, schema.name);
    cell(row, schema.key);
    cell(row, schema.objectCount);
    cell(row, schema.backupsCount);
    cell(row, formatDate(schema.lastBackup && schema.lastBackup.completedAt));
    row.addEventListener('click', () => showBackups(schema));
    body.appendChild(row);
  }
  $('schemas').hidden = false;
}

async function start() {
  $('logout').addEventListener('click', async () => {
    await api('/auth/logout', { method: 'POST', headers: { 'x-vault-csrf': '1' } });
    location.reload();
  });
  const me = await api('/api/v1/me');
  if (me.status === 200) return showHome(me.body);
  $('login').hidden = false;
}

start().catch(() => showError('The vault could not be reached.'));

// A WatermelonDB field app in Node 20, the way a React Native app built on @nozbe/watermelondb
// would sync with the server: its appSchema comes from the server's schema endpoint (the columns
// of a given app schema version), the database is LokiJS in memory, ids are UUIDs, and sync is
// WatermelonDB's own synchronize(). Driven by tests/helpers/watermelon.py.
//
//   node watermelon.mjs      then one JSON command per stdin line, one JSON reply per stdout line:
//   {"command": "open", "url", "token", "schemaVersion", "records": {table: [read-only columns]}}
//   {"command": "create", "table", "columns", "id"?}  -> {"id"}
//   {"command": "update", "table", "id", "columns"}   {"command": "delete", "table", "id"}
//   {"command": "sync", "losePushRequest"?, "losePushResponse"?, "losePullResponse"?}
//        -> {"ok", "log", "requests", ...}: a lost request never reaches the server; a lost
//        response is processed by the server, then the app sees the network drop
//   {"command": "dump"}  {"command": "upgrade", "schemaVersion"}  {"command": "resync"}
// A failed command answers {"error": message}; the process carries on.

import { createRequire } from 'node:module';
import readline from 'node:readline';

const require = createRequire(import.meta.url);
const { Database, Model, appSchema, tableSchema } = require('@nozbe/watermelondb');
const LokiJSAdapter = require('@nozbe/watermelondb/adapters/lokijs').default;
const { schemaMigrations, addColumns } = require('@nozbe/watermelondb/Schema/migrations');
const { synchronize } = require('@nozbe/watermelondb/sync');
const { setGenerator } = require('@nozbe/watermelondb/utils/common/randomId');
const { LokiMemoryAdapter } = require('lokijs'); // WatermelonDB's own LokiJS fork

setGenerator(() => crypto.randomUUID());

// stdout carries the replies only: WatermelonDB's logger (console.*) goes to stderr, and what it
// says while a command runs is returned with the reply (WatermelonDB reports sync anomalies,
// such as a server sending `created` rows, only through its logger).
let logged = [];
const KNOWN_WARNING = '{useIncrementalIndexedDB: false} option is now deprecated';
for (const level of ['log', 'info', 'debug', 'warn', 'error']) {
  console[level] = (...parts) => {
    const text = parts.map((part) => (part instanceof Error ? part.message : String(part))).join(' ');
    if ((level === 'warn' || level === 'error') && !text.includes(KNOWN_WARNING)) {
      logged.push(`${level}: ${text}`);
    }
    process.stderr.write(`${level}: ${text}\n`);
  };
}

class HttpError extends Error {
  constructor(status, body) {
    super(`HTTP ${status}: ${JSON.stringify(body)}`);
    this.status = status;
    this.body = body;
  }
}

class NetworkDropped extends Error {}

let app = null; // {url, token, records, serverSchema, memory, version, database}

function buildSchema(serverSchema, version) {
  const tables = serverSchema.tables.map((table) =>
    tableSchema({
      name: table.name,
      columns: table.columns
        .filter((column) => column.added_in <= version)
        .map(({ name, type, isOptional, isIndexed }) => ({ name, type, isOptional, isIndexed })),
    }),
  );
  const migrations = [];
  for (let toVersion = 2; toVersion <= version; toVersion++) {
    const steps = serverSchema.tables
      .map((table) => ({
        table: table.name,
        columns: table.columns
          .filter((column) => column.added_in === toVersion)
          .map(({ name, type, isOptional, isIndexed }) => ({ name, type, isOptional, isIndexed })),
      }))
      .filter((step) => step.columns.length > 0)
      .map((step) => addColumns(step));
    migrations.push({ toVersion, steps });
  }
  return {
    schema: appSchema({ version, tables }),
    migrations: schemaMigrations({ migrations: migrations.reverse() }),
  };
}

function openDatabase(version) {
  const { schema, migrations } = buildSchema(app.serverSchema, version);
  const adapter = new LokiJSAdapter({
    dbName: 'fieldapp',
    schema,
    migrations,
    useWebWorker: false,
    useIncrementalIndexedDB: false,
    extraLokiOptions: { autosave: false },
    // One memory store for the app's whole life: the database survives an app upgrade.
    _testLokiAdapter: app.memory,
    onSetUpError: (error) => logged.push(`error: set up: ${error.message}`),
  });
  const modelClasses = app.serverSchema.tables.map(
    (table) =>
      class extends Model {
        static table = table.name;
      },
  );
  app.version = version;
  app.database = new Database({ adapter, modelClasses });
}

async function request(method, path, params, body) {
  const url = new URL(path, app.url);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  const response = await fetch(url, {
    method,
    headers: { Authorization: `Token ${app.token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = { unparsed: text.slice(0, 500) };
  }
  if (response.status !== 200) throw new HttpError(response.status, parsed);
  return parsed;
}

const counts = (changes) =>
  Object.fromEntries(
    Object.entries(changes).map(([table, { created, updated, deleted }]) => [
      table,
      { created: created.length, updated: updated.length, deleted: deleted.length },
    ]),
  );

const PUSH_UNANSWERED = 'fieldsync_push_unanswered';

async function sync({ losePushRequest = false, losePushResponse = false, losePullResponse = false } = {}) {
  const log = {};
  const requests = [];
  const pullChanges = async ({ lastPulledAt, schemaVersion, migration }) => {
    if (lastPulledAt != null && (await app.database.localStorage.get(PUSH_UNANSWERED))) {
      // The last push got no answer: send it again on the same base before pulling anything
      // newer (docs/watermelondb.md, "When a push gets no answer").
      requests.push({ kind: 'pull skipped', params: { last_pulled_at: String(lastPulledAt) } });
      return { changes: {}, timestamp: lastPulledAt };
    }
    const params = {
      last_pulled_at: lastPulledAt == null ? 'null' : String(lastPulledAt),
      schema_version: String(schemaVersion),
      migration: migration == null ? 'null' : JSON.stringify(migration),
    };
    const entry = { kind: 'pull', params };
    requests.push(entry);
    const body = await request('GET', '/api/v1/sync/watermelon/', params);
    Object.assign(entry, {
      timestamp: body.timestamp,
      counts: counts(body.changes ?? {}),
      ids: Object.fromEntries(
        Object.entries(body.changes ?? {}).map(([table, change]) => [
          table,
          {
            created: change.created.map((row) => row.id),
            updated: change.updated.map((row) => row.id),
            deleted: change.deleted,
          },
        ]),
      ),
    });
    if (losePullResponse) throw new NetworkDropped('the pull response was lost');
    return body;
  };
  const pushChanges = async ({ changes, lastPulledAt }) => {
    const entry = { kind: 'push', lastPulledAt, changes };
    requests.push(entry);
    await app.database.localStorage.set(PUSH_UNANSWERED, true);
    if (losePushRequest) throw new NetworkDropped('the push never reached the server');
    let body;
    try {
      body = await request('POST', '/api/v1/sync/watermelon/', {
        last_pulled_at: String(lastPulledAt),
      }, changes);
    } catch (error) {
      // An answer, even a refusal, means the server has seen this push.
      if (error instanceof HttpError) await app.database.localStorage.remove(PUSH_UNANSWERED);
      throw error;
    }
    entry.response = body;
    if (losePushResponse) throw new NetworkDropped('the push response was lost');
    await app.database.localStorage.remove(PUSH_UNANSWERED);
    return body;
  };
  try {
    await synchronize({
      database: app.database,
      pullChanges,
      pushChanges,
      sendCreatedAsUpdated: true,
      migrationsEnabledAtVersion: 1,
      log,
    });
  } catch (error) {
    const failure = { ok: false, message: error.message, phase: log.phase, requests };
    if (error instanceof HttpError) Object.assign(failure, { status: error.status, body: error.body });
    return failure;
  }
  return {
    ok: true,
    requests,
    log: {
      lastPulledAt: log.lastPulledAt ?? null,
      newLastPulledAt: log.newLastPulledAt ?? null,
      migration: log.migration ?? null,
      remoteChangeCount: log.remoteChangeCount ?? 0,
      localChangeCount: log.localChangeCount ?? 0,
      rejectedIds: log.rejectedIds ?? null,
      resolvedConflicts: (log.resolvedConflicts ?? []).length,
    },
  };
}

// Every row of every table as stored, deleted ones included, with _status and _changed.
function rawTables() {
  const loki = app.database.adapter.underlyingAdapter._driver.loki;
  return Object.fromEntries(
    Object.keys(app.database.schema.tables).map((table) => [
      table,
      loki.getCollection(table).data.map(({ $loki, meta, ...raw }) => ({ ...raw })),
    ]),
  );
}

async function dump() {
  const adapter = app.database.adapter;
  return {
    schemaVersion: app.version,
    lastPulledAt: Number(await adapter.getLocal('__watermelon_last_pulled_at')) || null,
    lastPulledSchemaVersion:
      Number(await adapter.getLocal('__watermelon_last_pulled_schema_version')) || null,
    tables: rawTables(),
  };
}

function assign(record, columns) {
  for (const [column, value] of Object.entries(columns)) {
    if (!(column in record.collection.schema.columns)) throw new Error(`no column ${column}`);
    record._setRaw(column, value);
  }
}

async function upgrade(version) {
  const loki = app.database.adapter.underlyingAdapter._driver.loki;
  await new Promise((resolve, reject) =>
    loki.saveDatabase((error) => (error ? reject(error) : resolve())),
  );
  loki.close();
  openDatabase(version);
  await app.database.adapter.getLocal('__watermelon_last_pulled_at'); // waits for the migration
}

// What an app does on 409 resync_required without losing anything: keep every local row, reset,
// pull everything, then send again what the server no longer has and the unsynced edits.
async function resync() {
  const kept = rawTables();
  await app.database.write(() => app.database.unsafeResetDatabase());
  const first = await sync();
  if (!first.ok) return { ok: false, first };
  const restored = { created: 0, edited: 0, deleted: 0 };
  await app.database.write(async () => {
    const operations = [];
    for (const [table, readOnly] of Object.entries(app.records)) {
      const collection = app.database.get(table);
      const ids = new Set(await collection.query().fetchIds());
      for (const raw of kept[table] ?? []) {
        const present = ids.has(raw.id) ? await collection.find(raw.id) : null;
        const data = Object.fromEntries(
          Object.keys(collection.schema.columns)
            .filter((column) => !readOnly.includes(column))
            .map((column) => [column, raw[column]]),
        );
        if (raw._status === 'deleted') {
          if (present) {
            operations.push(present.prepareMarkAsDeleted());
            restored.deleted += 1;
          }
        } else if (!present) {
          operations.push(
            collection.prepareCreate((record) => {
              record._raw.id = raw.id;
              assign(record, data);
            }),
          );
          restored.created += 1;
        } else if (raw._status !== 'synced') {
          const edited = raw._status === 'created' ? Object.keys(data) : raw._changed.split(',');
          const edits = Object.fromEntries(
            edited.filter((column) => column in data).map((column) => [column, data[column]]),
          );
          operations.push(present.prepareUpdate((record) => assign(record, edits)));
          restored.edited += 1;
        }
      }
    }
    await app.database.batch(operations);
  });
  const second = await sync();
  return { ok: second.ok, first, second, restored };
}

const commands = {
  async open({ url, token, schemaVersion, records }) {
    const previous = app;
    app = { url, token, records, memory: new LokiMemoryAdapter() };
    try {
      app.serverSchema = await request('GET', '/api/v1/sync/watermelon/schema/', {});
    } catch (error) {
      app = previous;
      throw error;
    }
    openDatabase(schemaVersion);
    await app.database.adapter.getLocal('__watermelon_last_pulled_at');
    return { serverSchemaVersion: app.serverSchema.version, schemaVersion };
  },
  async create({ table, columns, id }) {
    const record = await app.database.write(() =>
      app.database.get(table).create((created) => {
        if (id) created._raw.id = id;
        assign(created, columns);
      }),
    );
    return { id: record.id };
  },
  async update({ table, id, columns }) {
    const record = await app.database.get(table).find(id);
    await app.database.write(() => record.update((updated) => assign(updated, columns)));
    return { id };
  },
  async delete({ table, id }) {
    const record = await app.database.get(table).find(id);
    await app.database.write(() => record.markAsDeleted());
    return { id };
  },
  sync: (args) => sync(args),
  dump: () => dump(),
  async upgrade({ schemaVersion }) {
    await upgrade(schemaVersion);
    return { schemaVersion };
  },
  resync: () => resync(),
};

async function run(line) {
  const { command, ...args } = JSON.parse(line);
  if (!(command in commands)) throw new Error(`unknown command ${command}`);
  if (command !== 'open' && app === null) throw new Error('open the app first');
  return await commands[command](args);
}

process.on('unhandledRejection', (error) => process.stderr.write(`unhandled: ${error}\n`));

// One command at a time, in order: the next line waits for the previous reply.
let queue = Promise.resolve();
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  queue = queue.then(async () => {
    logged = [];
    let reply;
    try {
      reply = await run(line);
    } catch (error) {
      reply = { error: String(error?.message ?? error) };
    }
    reply.logged = logged;
    process.stdout.write(`${JSON.stringify(reply)}\n`);
  });
});

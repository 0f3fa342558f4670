// The benchmark's limit: no framework and no Kubernetes client library, just list + watch over
// node:https with the kubeconfig's TLS material (parsed with `yaml`) and one status merge patch
// per change. It keeps what any hand-written loop needs: an in-memory cache, a per-object queue
// that keeps only the newest state (one object is never handled twice at once) and bounded
// concurrency (32, our framework's default). The same three handlers as the other operators.
// Plain JavaScript, so its memory is not charged for TypeScript stripping.
//   KUBECONFIG=... node bench/operators/raw.mjs <namespace>
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { setTimeout } from 'node:timers';
import { URL } from 'node:url';
import { parse } from 'yaml';

const namespace = process.argv[2];
if (!namespace || !process.env.KUBECONFIG) {
  console.error('usage: KUBECONFIG=<file> node bench/operators/raw.mjs <namespace>');
  process.exit(2);
}
const CONCURRENCY = 32;
const PATH = `/apis/bench.fedora-operators/v1/namespaces/${namespace}/benchobjects`;
const now = () => new Date().toISOString();

// ---- the kubeconfig's current context: server, CA, client certificate or token ----
const config = parse(readFileSync(process.env.KUBECONFIG, 'utf8'));
const context = config.contexts.find((c) => c.name === config['current-context']).context;
const cluster = config.clusters.find((c) => c.name === context.cluster).cluster;
const user = config.users.find((u) => u.name === context.user).user;
const material = (data, file) => (data ? Buffer.from(data, 'base64') : file ? readFileSync(file) : undefined);
const server = new URL(cluster.server);
const agent = new Agent({
  keepAlive: true,
  maxSockets: CONCURRENCY + 4,
  ca: material(cluster['certificate-authority-data'], cluster['certificate-authority']),
  cert: material(user['client-certificate-data'], user['client-certificate']),
  key: material(user['client-key-data'], user['client-key']),
});
const auth = user.token ? { Authorization: `Bearer ${user.token}` } : {};

function send(method, path, body) {
  const headers = { Accept: 'application/json', ...auth };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/merge-patch+json';
    headers['Content-Length'] = Buffer.byteLength(body);
  }
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, server), { method, agent, headers }, resolve);
    req.on('error', reject);
    req.end(body);
  });
}

async function json(method, path, body) {
  const response = await send(method, path, body === undefined ? undefined : JSON.stringify(body));
  response.setEncoding('utf8');
  let text = '';
  for await (const chunk of response) text += chunk;
  if (response.statusCode >= 300) throw new Error(`${method} ${path}: HTTP ${response.statusCode} ${text}`);
  return JSON.parse(text);
}

const patchStatus = (name, status) => json('PATCH', `${PATH}/${name}/status`, { status });

// ---- cache, per-object queue, bounded workers ----
const cache = new Map();
/** Per object: spec.seq last handled, handler runs, whether this process resumed it. */
const memory = new Map();
const pending = new Set();
const active = new Set();
let running = 0;
let stopping = false;

function enqueue(name) {
  pending.add(name);
  pump();
}

function pump() {
  for (const name of pending) {
    if (running >= CONCURRENCY) return;
    if (active.has(name)) continue;
    pending.delete(name);
    active.add(name);
    running++;
    handle(name)
      .catch((error) => {
        console.error(`${name}: ${String(error)}`);
        setTimeout(() => enqueue(name), 1000);
      })
      .finally(() => {
        active.delete(name);
        running--;
        pump();
      });
  }
}

async function handle(name) {
  const object = cache.get(name);
  if (!object) return;
  const seq = Number(object.spec?.seq ?? 0);
  const status = object.status ?? {};
  let mem = memory.get(name);
  if (!mem) memory.set(name, (mem = { seq: Number(status.seq ?? 0), runs: 0, resumed: false }));
  if (status.handledAt === undefined) {
    mem.seq = seq;
    mem.resumed = true;
    await patchStatus(name, { handledAt: now() });
  } else if (seq > mem.seq) {
    mem.runs++;
    mem.seq = seq;
    await patchStatus(name, { seq, updateRuns: mem.runs, updatedAt: now() });
  } else if (!mem.resumed) {
    // Handled before this process started: the counterpart of @OnResume / on.resume.
    mem.resumed = true;
    await patchStatus(name, { resumedAt: now() });
  }
}

// ---- list, then watch from the list's resourceVersion; relist on 410 ----
async function list() {
  let cont = '';
  let rv;
  do {
    const page = await json('GET', `${PATH}?limit=500${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`);
    for (const item of page.items) {
      cache.set(item.metadata.name, item);
      enqueue(item.metadata.name);
    }
    cont = page.metadata.continue ?? '';
    rv = page.metadata.resourceVersion;
  } while (cont);
  return rv;
}

async function run() {
  let rv = await list();
  while (!stopping) {
    try {
      const query = `?watch=1&allowWatchBookmarks=true&timeoutSeconds=600&resourceVersion=${rv}`;
      const response = await send('GET', PATH + query);
      response.setEncoding('utf8');
      let buffered = '';
      for await (const chunk of response) {
        buffered += chunk;
        let newline;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          if (!line.trim()) continue;
          const { type, object } = JSON.parse(line);
          if (type === 'ERROR') {
            rv = await list(); // 410 Gone: start over from a fresh list
            continue;
          }
          rv = object.metadata.resourceVersion ?? rv;
          if (type === 'BOOKMARK') continue;
          if (type === 'DELETED') {
            cache.delete(object.metadata.name);
            memory.delete(object.metadata.name);
          } else {
            cache.set(object.metadata.name, object);
            enqueue(object.metadata.name);
          }
        }
      }
    } catch (error) {
      if (stopping) return;
      console.error(`watch: ${String(error)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    stopping = true;
    agent.destroy();
    process.exit(0);
  });
}
await run();

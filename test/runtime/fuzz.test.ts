/**
 * Seeded fuzzing over real HTTP: thousands of mutated OIP requests (JSON and binary) against
 * breast-cancer and identity-all. No answer may be a 5xx, every 4xx is a JSON error body, the
 * servers still answer valid requests afterwards, and the process's memory stays bounded.
 * Tokens and slow clients: fuzz-edge.test.ts.
 */
import { breastCancerRows, metricSum, MODELS, mulberry32, pool, postJson, request, scrape, startServer, TestServer } from './helpers';

jest.setTimeout(120_000);

const SEED = Number(process.env.FUZZ_SEED ?? 20261125);
const COUNT = Number(process.env.FUZZ_COUNT ?? 3200);
const CONCURRENCY = 8;
const BODY_LIMIT = 256 * 1024;

/** RSS growth allowed over the run (servers and load generator share this process). */
const RSS_GROWTH_LIMIT_MIB = 300;

let bc: TestServer;
let ia: TestServer;
let rssAtStart = 0;

beforeAll(async () => {
  const opts = { workers: 1, logLevel: 'warn' as const, bodyLimitBytes: BODY_LIMIT };
  [bc, ia] = await Promise.all([startServer({ ...opts, modelDir: MODELS.breastCancer }), startServer({ ...opts, modelDir: MODELS.identityAll })]);
  rssAtStart = process.memoryUsage().rss;
});
afterAll(async () => {
  await Promise.all([bc?.close(), ia?.close()]);
});

type Rand = () => number;
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const int = (r: Rand, n: number): number => Math.floor(r() * n);
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[int(r, xs.length)];

const DATATYPES = ['BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64', 'BYTES'];
const rows = breastCancerRows();

function sampleValue(dt: string, r: Rand): Json {
  switch (dt) {
    case 'BOOL':
      return r() < 0.5;
    case 'BYTES':
      return pick(r, ['', 'a', 'héllo', '\u0000x', 'long'.repeat(int(r, 20))]);
    case 'FP16':
    case 'FP32':
    case 'FP64':
      return (r() - 0.5) * 100;
    case 'UINT8':
    case 'UINT16':
    case 'UINT32':
    case 'UINT64':
      return int(r, 200);
    default:
      return int(r, 200) - 100;
  }
}

/** A valid request for the model, randomised. */
function validBody(model: 'bc' | 'ia', r: Rand): Record<string, Json> {
  const n = 1 + int(r, 3);
  const body: Record<string, Json> = {};
  if (model === 'bc') {
    const data = Array.from({ length: n }, () => [...rows[int(r, rows.length)].features]);
    body.inputs = [{ name: 'input', datatype: 'FP32', shape: [n, 30], data: r() < 0.5 ? data.flat() : data }];
    if (r() < 0.3) body.outputs = [{ name: pick(r, ['label', 'probabilities']) }];
  } else {
    const cols = 1 + int(r, 3);
    body.inputs = DATATYPES.map((dt) => ({ name: `in_${dt}`, datatype: dt, shape: [n, cols], data: Array.from({ length: n * cols }, () => sampleValue(dt, r)) }));
    if (r() < 0.3) body.outputs = [{ name: `out_${pick(r, DATATYPES)}` }];
  }
  if (r() < 0.3) body.id = `fuzz-${int(r, 1e6)}`;
  if (r() < 0.2) body.parameters = { binary_data_output: r() < 0.5 };
  return body;
}

function randomJson(r: Rand, depth = 0): Json {
  const k = int(r, depth > 2 ? 7 : 9);
  switch (k) {
    case 0:
      return null;
    case 1:
      return r() < 0.5;
    case 2:
      return pick(r, [0, -1, 1.5, -0, 1e308, -1e308, 2 ** 53 + 1, 2 ** 64, 4294967296, 1e-320, 65505, 123456789012]);
    case 3:
      return pick(r, ['', 'NaN', 'Infinity', '-inf', 'input', 'in_FP32', 'FP32', '18446744073709551616', '-9223372036854775809', 'x'.repeat(300), '\u202e', '{}']);
    case 4:
      return int(r, 1000) - 500;
    case 5:
      return [];
    case 6:
      return {};
    case 7:
      return Array.from({ length: int(r, 4) }, () => randomJson(r, depth + 1));
    default: {
      const o: Record<string, Json> = {};
      for (let i = int(r, 4); i > 0; i--) o[pick(r, ['name', 'shape', 'datatype', 'data', 'parameters', 'binary_data_size', 'x'])] = randomJson(r, depth + 1);
      return o;
    }
  }
}

/** Paths to containers and values in a body, skipping deep into data arrays. */
function paths(v: Json, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (Array.isArray(v)) {
    const limit = prefix[prefix.length - 1] === 'data' ? 3 : v.length;
    for (let i = 0; i < Math.min(v.length, limit); i++) paths(v[i], [...prefix, i], out);
  } else if (v !== null && typeof v === 'object') {
    for (const k of Object.keys(v)) paths(v[k], [...prefix, k], out);
  }
  return out;
}

function getAt(root: Json, p: (string | number)[]): Json {
  let cur: Json = root;
  for (const k of p) cur = (cur as Record<string, Json>)[k as string];
  return cur;
}

function mutateJson(body: Json, r: Rand): Json {
  const all = paths(body).filter((p) => p.length > 0);
  if (all.length === 0) return randomJson(r);
  const p = pick(r, all);
  const parent = getAt(body, p.slice(0, -1)) as Record<string, Json> | Json[];
  const key = p[p.length - 1];
  const op = int(r, 8);
  if (op === 0) {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key as string];
  } else if (op === 1) {
    if (Array.isArray(parent)) parent.push(structuredClone(parent[key as number]));
    else (parent as Record<string, Json>)[`${String(key)}`] = structuredClone(parent[key as string]);
  } else if (op === 2 && !Array.isArray(parent)) {
    const v = parent[key as string];
    delete parent[key as string];
    parent[pick(r, ['nme', 'Name', 'datatype', 'shape', 'dat', 'inputs', 'outputs', 'parameters', ''])] = v;
  } else if (op === 3) {
    // Shapes: zeros, negatives, huge, fractional, too many dims.
    (parent as Record<string, Json>)[key as string] = pick(r, [[0, 30], [-1, 30], [100000, 100000], [1.5, 30], [1, 30, 1], new Array(20).fill(1), [2 ** 31, 2 ** 31], [1], [], ['1', '30'], [1e308, 1]]);
  } else if (op === 4) {
    (parent as Record<string, Json>)[key as string] = pick(r, [...DATATYPES, 'FLOAT', 'fp32', 'BF16', 'STRING', '']);
  } else {
    (parent as Record<string, Json>)[key as string] = randomJson(r);
  }
  return body;
}

function deepNest(text: string, r: Rand): string {
  const d = pick(r, [33, 64, 200, 5000]);
  return text.replace(/"data":\[/, `"data":${'['.repeat(d)}[`).replace(/\](\s*[,}][^\]]*)$/, `]${']'.repeat(d)}$1`);
}

interface Req {
  readonly url: string;
  readonly init: RequestInit;
  readonly kind: string;
}

function binaryReq(model: 'bc' | 'ia', r: Rand, base: string): Req {
  const body = validBody(model, r);
  const inputs = body.inputs as Record<string, Json>[];
  const blobs: Buffer[] = [];
  for (const inp of inputs) {
    if (inp.datatype !== 'FP32' && r() < 0.5) continue; // some stay JSON
    const flat = (inp.data as Json[]).flat(3) as number[];
    const b = inp.datatype === 'BYTES' ? Buffer.from(flat.map(String).join('')) : Buffer.from(new Float32Array(flat.map(Number)).buffer);
    delete inp.data;
    let size = b.length;
    if (r() < 0.4) size = pick(r, [0, -1, size + 1, size - 1, 1e12, 2 ** 53, 3.5]);
    inp.parameters = { binary_data_size: r() < 0.1 ? String(size) : size };
    blobs.push(b);
  }
  const head = Buffer.from(JSON.stringify(body));
  let buf = Buffer.concat([head, ...blobs]);
  if (r() < 0.2) buf = buf.subarray(0, int(r, buf.length));
  if (r() < 0.1) buf = Buffer.concat([buf, Buffer.alloc(int(r, 16) + 1)]);
  if (r() < 0.1) for (let i = 0; i < 4; i++) buf[int(r, buf.length)] = int(r, 256);
  let len: string = String(head.length);
  const lv = r();
  if (lv < 0.1) len = String(buf.length + 1 + int(r, 100));
  else if (lv < 0.15) len = pick(r, ['-1', 'abc', '1e3', '', ' 12', '0x10', '99999999999999999999', '3.0']);
  else if (lv < 0.2) len = '0';
  else if (lv < 0.3) len = String(Math.max(0, head.length + int(r, 21) - 10));
  const useCt = r() < 0.3;
  const headers: Record<string, string> = useCt
    ? { 'content-type': `application/vnd.sagemaker-triton.binary+json;json-header-size=${len}` }
    : { 'content-type': pick(r, ['application/octet-stream', 'application/json', '']), 'inference-header-content-length': len };
  if (headers['content-type'] === '') delete headers['content-type'];
  const url = useCt ? `${base}/invocations` : `${base}/v2/models/${model === 'bc' ? 'breast-cancer' : 'identity-all'}/infer`;
  return { url, init: { method: 'POST', headers, body: buf }, kind: 'binary' };
}

function makeRequest(r: Rand): Req {
  const model = r() < 0.5 ? 'bc' : 'ia';
  const base = model === 'bc' ? bc.url : ia.url;
  const name = model === 'bc' ? 'breast-cancer' : 'identity-all';
  const route = pick(r, [`/v2/models/${name}/infer`, `/v2/models/${name}/infer`, `/v2/models/${name}/versions/1.0.0/infer`, '/invocations', `/v2/models/${name}/versions/9/infer`]);
  const roll = r();
  if (roll < 0.2) return binaryReq(model, r, base);
  if (roll < 0.25) {
    const bytes = Buffer.alloc(int(r, 512));
    for (let i = 0; i < bytes.length; i++) bytes[i] = int(r, 256);
    return { url: `${base}${route}`, init: { method: 'POST', headers: { 'content-type': pick(r, ['application/json', 'application/octet-stream', 'text/csv']) }, body: bytes }, kind: 'bytes' };
  }
  if (roll < 0.27) {
    return { url: `${base}${route}`, init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"inputs":[${'1,'.repeat(BODY_LIMIT / 2 + 10)}1]}` }, kind: 'too-large' };
  }
  let body: Json = validBody(model, r);
  let url = `${base}${route}`;
  if (r() < 0.15) {
    // {instances} for /invocations, /score: rows for breast-cancer, objects keyed by input for identity-all.
    const inputs = (body as { inputs: { name: string; shape: number[]; data: Json[] }[] }).inputs;
    const n = inputs[0].shape[0];
    const instances: Json[] = Array.from({ length: n }, (_, k) => {
      if (model === 'bc') return (inputs[0].data.flat() as Json[]).slice(k * 30, (k + 1) * 30);
      const o: Record<string, Json> = {};
      for (const inp of inputs) o[inp.name] = (inp.data.flat() as Json[]).slice(k * inp.shape[1], (k + 1) * inp.shape[1]);
      return o;
    });
    body = r() < 0.5 ? { instances } : { data: instances, parameters: randomJson(r) };
    url = `${base}${pick(r, ['/invocations', '/score'])}`;
  }
  const mutations = 1 + int(r, 3);
  for (let i = 0; i < mutations; i++) body = mutateJson(body, r);
  let text = JSON.stringify(body) ?? 'null';
  const t = r();
  let kind = 'json';
  if (t < 0.12) {
    text = text.slice(0, int(r, text.length));
    kind = 'truncated';
  } else if (t < 0.18) {
    text = deepNest(text, r);
    kind = 'deep';
  } else if (t < 0.24) {
    text = text.replace(/(-?\d+\.\d+)/, pick(r, ['1e39', '1e400', '-1e400', '1e-400', '123456789012345678901234567890']));
    kind = 'huge-number';
  } else if (t < 0.28) {
    text = text.replace(/"name":"([^"]+)"/, '"name":"$1","name":"$1"');
    kind = 'dup-key';
  }
  const ct = r() < 0.92 ? 'application/json' : pick(r, ['text/plain', 'application/xml', 'text/csv', 'application/json; charset=utf-8', 'application/jsonlines']);
  const headers: Record<string, string> = { 'content-type': ct };
  if (r() < 0.05) headers.accept = pick(r, ['text/csv', 'application/xml', '*/*']);
  return { url, init: { method: 'POST', headers, body: text }, kind };
}

test(`${COUNT} mutated requests: no 5xx, every 4xx is a JSON error, servers keep serving`, async () => {
  const r = mulberry32(SEED);
  const requests = Array.from({ length: COUNT }, () => makeRequest(r));
  const statuses = new Map<number, number>();
  const failures: string[] = [];
  const t0 = Date.now();
  await pool(requests, CONCURRENCY, async (req, i) => {
    let status: number;
    let text = '';
    let ct = '';
    try {
      const res = await fetch(req.url, req.init);
      status = res.status;
      ct = res.headers.get('content-type') ?? '';
      text = Buffer.from(await res.arrayBuffer()).toString('utf8');
    } catch (e) {
      failures.push(`#${i} ${req.kind} ${req.url}: no answer (${(e as Error).message})`);
      return;
    }
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
    if (status >= 500) {
      failures.push(`#${i} ${req.kind} ${req.url} → ${status} ${text.slice(0, 300)}`);
      return;
    }
    if (status >= 400) {
      let doc: { error?: unknown; code?: unknown } | undefined;
      try {
        doc = JSON.parse(text);
      } catch {
        doc = undefined;
      }
      if (!ct.startsWith('application/json') || typeof doc?.error !== 'string' || typeof doc?.code !== 'string' || !String(doc.code).startsWith('RT_ERR_')) {
        failures.push(`#${i} ${req.kind} ${req.url} → ${status} not a JSON error: ${ct} ${text.slice(0, 200)}`);
      }
    } else if (status !== 200) {
      failures.push(`#${i} ${req.kind} ${req.url} → unexpected ${status}`);
    }
  });
  const seconds = (Date.now() - t0) / 1000;
  expect(failures.slice(0, 20)).toEqual([]);
  const total = [...statuses.values()].reduce((a, b) => a + b, 0);
  expect(total).toBe(COUNT);
  // The fuzzer reaches both success and many kinds of rejection.
  expect(statuses.get(200) ?? 0).toBeGreaterThan(50);
  expect(statuses.get(400) ?? 0).toBeGreaterThan(COUNT / 3);
  expect(statuses.get(404) ?? 0).toBeGreaterThan(0);
  expect(statuses.get(413) ?? 0).toBeGreaterThan(0);
  expect(statuses.get(415) ?? 0).toBeGreaterThan(0);
  process.stdout.write(`fuzz: ${COUNT} requests in ${seconds.toFixed(1)} s\n`);

  // No internal error was logged; the servers still answer valid requests and are ready.
  for (const s of [bc, ia]) {
    expect(s.logs.records.filter((x) => x.msg === 'unexpected error' || x.code === 'RT_ERR_INTERNAL')).toEqual([]);
    expect((await request(`${s.url}/v2/health/ready`)).status).toBe(200);
    const m = await scrape(s.url);
    const fivexx = m.filter((x) => x.name === 'servingstack_requests_total' && x.labels.status.startsWith('5'));
    expect(fivexx).toEqual([]);
    expect(metricSum(m, 'servingstack_requests_total')).toBeGreaterThan(COUNT / 3);
  }
  const ok = await postJson(`${bc.url}/v2/models/breast-cancer/infer`, validBody('bc', mulberry32(1)));
  expect({ status: ok.status, body: ok.status === 200 ? '' : ok.text }).toEqual({ status: 200, body: '' });
  const ok2 = await postJson(`${ia.url}/v2/models/identity-all/infer`, validBody('ia', mulberry32(2)));
  expect(ok2.status).toBe(200);
  // Hostile shapes and lengths never made the servers allocate what the clients declared.
  expect((process.memoryUsage().rss - rssAtStart) / 1024 / 1024).toBeLessThan(RSS_GROWTH_LIMIT_MIB);
});

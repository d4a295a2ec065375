/**
 * Seeded fuzzing over real HTTP against corpus models with odd tensor names (`0`, `__proto__`,
 * spaces, quotes, newlines), empty tensors, no inputs and string casts: mutated names, shapes with
 * zero, negative and huge dimensions, data that disagrees with its shape, small bodies declaring
 * huge BYTES tensors, binary bodies with lying sizes, instances keyed by prototype names. No
 * answer may be a 5xx, every refusal is a JSON error body from the catalogue, the process RSS stays
 * bounded (no allocation sized by a declared shape), and every server still answers valid
 * requests afterwards. FUZZ_SEED / FUZZ_MODELS_COUNT override the seed and the request count.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RUNTIME_ERRORS } from '../../lib/runtime/errors';
import { corpusModels, CorpusModel, ODD_NAMES, oipJson, writeCorpusModel } from './corpus';
import { encodeBytes, mulberry32, pool, postJson, request, startServer, TestServer } from './helpers';

jest.setTimeout(180_000);

const SEED = Number(process.env.FUZZ_SEED ?? 20261206);
const COUNT = Number(process.env.FUZZ_MODELS_COUNT ?? 1600);
const CONCURRENCY = 8;
const RSS_GROWTH_LIMIT = 256 * 1024 * 1024;
const TARGETS = ['odd-names', 'proto-output', 'empty-tensors', 'no-inputs', 'string-cast', 'every-datatype'];

type Rand = () => number;
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const int = (r: Rand, n: number): number => Math.floor(r() * n);
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[int(r, xs.length)]!;

const NAME_POOL = [...ODD_NAMES.flat(), '', ' ', 'x', 'prototype', 'hasOwnProperty', '\u0000', '\ud800', 'in:FP32.0', 'FP32/out put', 'text', 'x'.repeat(2000), 'ids', 'constructor'];
const DT_POOL = ['BOOL', 'UINT8', 'INT64', 'FP16', 'FP32', 'FP64', 'BYTES', 'fp32', 'STRING', 42, null];

function shapeFor(r: Rand): Json {
  switch (int(r, 9)) {
    case 0:
      return [0];
    case 1:
      return [0, int(r, 4)];
    case 2:
      return [int(r, 3), 0];
    case 3:
      return [8192, 8192];
    case 4:
      return [0, 2 ** 31 - 1, 2 ** 31 - 1];
    case 5:
      return [-1, 2];
    case 6:
      return [1e300];
    case 7:
      return [int(r, 4), 2];
    default:
      return [int(r, 3)];
  }
}

function dataFor(r: Rand): Json {
  switch (int(r, 7)) {
    case 0:
      return [];
    case 1:
      return [[], []];
    case 2:
      return ['a'];
    case 3:
      return Array.from({ length: int(r, 6) }, () => r() * 10);
    case 4:
      return [['NaN', 'Infinity'], ['-Infinity', 1]];
    case 5:
      return Array.from({ length: int(r, 4) }, () => pick(r, ['', '1.5', 'nan', 'x'.repeat(int(r, 50))]));
    default:
      return 1;
  }
}

interface Req {
  readonly kind: string;
  readonly url: string;
  readonly init: RequestInit;
}

function mutate(m: CorpusModel, url: string, r: Rand): Req {
  const infer = `${url}/v2/models/${m.name}/infer`;
  const valid = oipJson(m.cases[int(r, m.cases.length)]!) as unknown as { inputs: Record<string, Json>[] };
  const json = (kind: string, body: unknown): Req => ({ kind, url: infer, init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } });
  switch (int(r, 10)) {
    case 0:
      return json('valid', valid);
    case 1: {
      // Rename one input to another odd name.
      const inputs = valid.inputs.map((t) => ({ ...t }));
      if (inputs.length) inputs[int(r, inputs.length)]!.name = pick(r, NAME_POOL);
      return json('renamed', { inputs });
    }
    case 2: {
      const inputs = valid.inputs.map((t) => ({ ...t }));
      if (inputs.length) inputs[int(r, inputs.length)]!.shape = shapeFor(r);
      return json('shape', { inputs });
    }
    case 3: {
      const inputs = valid.inputs.map((t) => ({ ...t }));
      if (inputs.length) inputs[int(r, inputs.length)]!.data = dataFor(r);
      return json('data', { inputs });
    }
    case 4: {
      const inputs = valid.inputs.map((t) => ({ ...t }));
      if (inputs.length) inputs[int(r, inputs.length)]!.datatype = pick(r, DT_POOL);
      return json('datatype', { inputs });
    }
    case 5:
      // The 150-byte request that used to allocate a 67M-entry array.
      return json('huge-bytes', { inputs: [{ name: pick(r, ['text', m.manifest.signature.inputs[0]?.name ?? 'x']), shape: [8192, 8192], datatype: 'BYTES', data: ['a'] }] });
    case 6: {
      // Binary: a header declaring a large shape over a tiny blob, or a lying BYTES length prefix.
      const name = m.manifest.signature.inputs[0]?.name ?? 'x';
      const datatype = m.manifest.signature.inputs[0]?.datatype ?? 'FP32';
      const blob = r() < 0.5 ? encodeBytes(['a', 'bc']) : Buffer.from([0xff, 0xff, 0xff, 0x7f, 1, 2]);
      const head = Buffer.from(JSON.stringify({ inputs: [{ name, datatype, shape: shapeFor(r), parameters: { binary_data_size: blob.length } }], outputs: [{ name: pick(r, NAME_POOL), parameters: { binary_data: true } }] }));
      return { kind: 'binary', url: infer, init: { method: 'POST', headers: { 'inference-header-content-length': String(head.length), 'content-type': 'application/octet-stream' }, body: Buffer.concat([head, blob]) } };
    }
    case 7: {
      // Instances keyed by names, prototype names among them, through SageMaker and Azure routes.
      const inst: Record<string, Json> = {};
      for (const t of valid.inputs) if (r() < 0.8) inst[String(t.name)] = (t.data as Json[]).slice(0, 2);
      if (r() < 0.3) inst[pick(r, NAME_POOL)] = [1, 2];
      const route = pick(r, ['/invocations', '/score']);
      return { kind: 'instances', url: `${url}${route}`, init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ instances: [inst, inst] }) } };
    }
    case 8:
      return json('outputs', { ...valid, outputs: [{ name: pick(r, NAME_POOL) }, ...(r() < 0.3 ? [{ name: pick(r, NAME_POOL) }] : [])] });
    default:
      return json('no-inputs-field', r() < 0.5 ? {} : { inputs: [] });
  }
}

let work: string;
const servers = new Map<string, { s: TestServer; m: CorpusModel }>();

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-fuzz-models-'));
  const chosen = corpusModels().filter((m) => TARGETS.includes(m.name));
  const started = await Promise.all(chosen.map((m) => startServer({ modelDir: writeCorpusModel(work, m), workers: 1, logLevel: 'warn', bodyLimitBytes: 256 * 1024 })));
  chosen.forEach((m, i) => servers.set(m.name, { s: started[i]!, m }));
});
afterAll(async () => {
  await Promise.all([...servers.values()].map(({ s }) => s.close()));
  fs.rmSync(work, { recursive: true, force: true });
});

test(`${COUNT} seeded requests with odd names and empty shapes: no 5xx, catalogue errors, bounded RSS`, async () => {
  const r = mulberry32(SEED);
  const list = [...servers.values()];
  const reqs = Array.from({ length: COUNT }, () => {
    const { s, m } = pick(r, list);
    return mutate(m, s.url, r);
  });
  const rssStart = process.memoryUsage().rss;
  let rssMax = rssStart;
  const statuses = new Map<number, number>();
  const failures: string[] = [];
  await pool(reqs, CONCURRENCY, async (req, i) => {
    const res = await request(req.url, req.init);
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    rssMax = Math.max(rssMax, process.memoryUsage().rss);
    if (res.status >= 500) failures.push(`#${i} ${req.kind} → ${res.status} ${res.text.slice(0, 200)}`);
    else if (res.status >= 400) {
      const code = res.json?.code as string | undefined;
      if (!code || !(code in RUNTIME_ERRORS) || typeof res.json.error !== 'string') failures.push(`#${i} ${req.kind} → ${res.status} without a catalogue body: ${res.text.slice(0, 200)}`);
      else if (RUNTIME_ERRORS[code as keyof typeof RUNTIME_ERRORS].status !== res.status) failures.push(`#${i} ${code} answered ${res.status}`);
    }
  });
  process.stdout.write(`fuzz-models statuses: ${JSON.stringify([...statuses].sort())}; RSS growth ${((rssMax - rssStart) / 2 ** 20).toFixed(0)} MiB\n`);
  expect(failures.slice(0, 20)).toEqual([]);
  expect(statuses.get(200) ?? 0).toBeGreaterThan(COUNT / 20);
  expect(statuses.get(400) ?? 0).toBeGreaterThan(COUNT / 3);
  expect(rssMax - rssStart).toBeLessThan(RSS_GROWTH_LIMIT);

  for (const { s, m } of servers.values()) {
    expect(s.logs.records.filter((x) => x.code === 'RT_ERR_INTERNAL' || x.msg === 'unexpected error')).toEqual([]);
    const ok = await postJson(`${s.url}/v2/models/${m.name}/infer`, oipJson(m.cases[0]!));
    expect({ model: m.name, status: ok.status }).toEqual({ model: m.name, status: 200 });
    expect((await request(`${s.url}/v2/health/ready`)).status).toBe(200);
  }
});

test('a 150-byte request declaring a BYTES tensor of [8192, 8192] is refused without allocating it', async () => {
  const { s } = servers.get('string-cast')!;
  const url = `${s.url}/v2/models/string-cast/infer`;
  const body = JSON.stringify({ inputs: [{ name: 'text', shape: [8192, 8192], datatype: 'BYTES', data: ['a'] }] });
  expect(body.length).toBeLessThan(150);
  const before = process.memoryUsage().rss;
  for (let i = 0; i < 5; i++) {
    const res = await postJson(url, body);
    expect(res.json).toMatchObject({ code: 'RT_ERR_SHAPE', field: 'inputs[0].data', received: 1 });
  }
  // The binary form: a 10-byte blob cannot hold 67M length-prefixed elements.
  const blob = encodeBytes(['a', 'b']);
  const head = Buffer.from(JSON.stringify({ inputs: [{ name: 'text', shape: [8192, 8192], datatype: 'BYTES', parameters: { binary_data_size: blob.length } }] }));
  const bin = await request(url, { method: 'POST', headers: { 'inference-header-content-length': String(head.length) }, body: Buffer.concat([head, blob]) });
  expect(bin.json).toMatchObject({ code: 'RT_ERR_BINARY', received: blob.length });
  // A 67M-entry array of strings is over 512 MiB: allocating it even once would show here.
  expect(process.memoryUsage().rss - before).toBeLessThan(128 * 1024 * 1024);
});

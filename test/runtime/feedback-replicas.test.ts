/**
 * Two real runtime processes sharing a feedback key, as two replicas behind a load balancer:
 * predictions on replica A under concurrent keep-alive load, labels (with the tokens A returned)
 * on replica B, and B's accuracy, error and fairness metrics move to exactly the figures the
 * labels give against A's predictions. Two models: the breast-cancer classifier and a model
 * exported by PyTorch (tensor names `onnx::Flatten_0` and `39`).
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { breastCancerPackage, KEY, ROWS, wakewordInput, wakewordPackage } from './feedback-fixtures';
import { freePort, metricSum, pool, postJson, request, ROOT, scrape, waitFor } from './helpers';

jest.setTimeout(180_000);

const FEEDBACK = 'application/vnd.servingstack.feedback+json';

interface Replica {
  readonly child: ChildProcess;
  readonly url: string;
  readonly out: { log: string };
}

async function replica(root: string): Promise<Replica> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/servingstack.ts', 'serve', '--multi-model', '--port', String(port), '--host', '127.0.0.1', '--workers', '1'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      SERVINGSTACK_MODEL_ROOT: root,
      SERVINGSTACK_FEEDBACK_KEY: KEY,
      SERVINGSTACK_FAIRNESS_GROUP: 'segment',
      SERVINGSTACK_FAIRNESS_MIN_GROUP_COUNT: '5',
      SERVINGSTACK_SHUTDOWN_GRACE_MS: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { log: '' };
  child.stdout!.on('data', (d: Buffer) => (out.log += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out.log += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  if (!(await waitFor(async () => (await fetch(`${url}/ping`)).status === 200, 60_000, 200))) {
    child.kill('SIGKILL');
    throw new Error(`replica never became live\n${out.log}`);
  }
  for (const name of ['bc', 'ww']) {
    const r = await postJson(`${url}/models`, { model_name: name, url: path.join(root, name) });
    if (r.status !== 200) throw new Error(`load ${name}: ${r.status} ${r.text}\n${out.log}`);
  }
  return { child, url, out };
}

function claimsOf(token: string): { p: string[]; g?: string | string[]; m: string } {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as { p: string[]; g?: string | string[]; m: string };
}

describe('two replicas sharing a key', () => {
  let root: string;
  let a: Replica;
  let b: Replica;
  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-replicas-'));
    fs.renameSync(breastCancerPackage(), path.join(root, 'bc'));
    fs.renameSync(wakewordPackage(), path.join(root, 'ww'));
    [a, b] = await Promise.all([replica(root), replica(root)]);
  });
  afterAll(async () => {
    for (const r of [a, b]) {
      if (r && r.child.exitCode === null) {
        const exited = new Promise((res) => r.child.once('exit', res));
        r.child.kill('SIGKILL');
        await exited;
      }
    }
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('predict on A, label on B: B scores every label; A is untouched; a duplicate counts once per replica', async () => {
    // --- predictions on A: 120 classifier requests (1–3 rows, two groups) and 24 wake-word requests, 8 at a time over keep-alive.
    const bc: { token: string; labels: number[]; segment: string; predicted: number[] }[] = [];
    const jobs = Array.from({ length: 120 }, (_, i) => i);
    await pool(jobs, 8, async (i) => {
      const n = 1 + (i % 3);
      const rows = Array.from({ length: n }, (_, k) => ROWS[(i * 3 + k) % ROWS.length]);
      const segment = i % 2 ? 'a' : 'b';
      const viaOip = i % 4 === 0;
      const r = viaOip
        ? await postJson(`${a.url}/v2/models/bc/infer`, { inputs: [{ name: 'input', shape: [n, 30], datatype: 'FP32', data: rows.map((x) => x.features) }], parameters: { segment } })
        : await postJson(`${a.url}/invocations`, { instances: rows.map((x) => x.features), parameters: { segment } }, { 'x-amzn-sagemaker-target-model': 'bc.tar.gz' });
      expect(r.status).toBe(200);
      const token = r.headers.get('x-servingstack-prediction-token')!;
      const predicted = viaOip ? (r.json.outputs.find((o: { name: string }) => o.name === 'label').data as number[]) : claimsOf(token).p.map(Number);
      expect(claimsOf(token).p).toEqual(predicted.map(String)); // the token carries what A predicted
      // Group b's labels are flipped on half its rows: the groups' error rates differ.
      bc.push({ token, segment, predicted, labels: rows.map((x, k) => (segment === 'b' && k % 2 === 0 ? 1 - x.label : x.label)) });
    });
    const ww: { token: string; score: number; label: number }[] = [];
    await pool(
      Array.from({ length: 24 }, (_, i) => i),
      6,
      async (i) => {
        const r = await postJson(`${a.url}/v2/models/ww/infer`, { inputs: [{ name: 'onnx::Flatten_0', shape: [1, 25, 96], datatype: 'FP32', data: wakewordInput(i) }] });
        expect(r.status).toBe(200);
        expect(r.json.outputs[0].name).toBe('39');
        ww.push({ token: r.json.parameters.prediction_token, score: r.json.outputs[0].data[0], label: i % 2 });
      },
    );

    const before = await scrape(b.url);
    expect(metricSum(before, 'servingstack_labelled_rows', { model: 'bc' })).toBe(0);

    // --- labels on B, through its invoke paths, concurrently.
    await pool(bc, 8, async (x, i) => {
      const r =
        i % 2
          ? await request(`${b.url}/invocations`, { method: 'POST', headers: { 'content-type': FEEDBACK, 'x-amzn-sagemaker-target-model': 'bc.tar.gz' }, body: JSON.stringify({ token: x.token, labels: x.labels }) })
          : await postJson(`${b.url}/invocations`, { token: x.token, labels: x.labels }, { 'x-amzn-sagemaker-custom-attributes': 'servingstack-feedback=1', 'x-amzn-sagemaker-target-model': 'bc.tar.gz' });
      expect(r.status).toBe(200);
      expect(r.json.accepted).toBe(1);
    });
    await pool(ww, 6, async (x) => {
      const r = await request(`${b.url}/v2/models/ww/infer`, { method: 'POST', headers: { 'content-type': FEEDBACK }, body: JSON.stringify({ token: x.token, labels: [x.label] }) });
      expect(r.status).toBe(200);
    });

    // --- B's figures equal the labels scored against A's predictions.
    const rows = bc.flatMap((x) => x.labels.map((l, k) => ({ label: l, pred: x.predicted[k], group: x.segment })));
    const accuracy = rows.filter((r) => r.label === r.pred).length / rows.length;
    const rates = (g: string): { tpr: number; fpr: number } => {
      const rs = rows.filter((r) => r.group === g);
      const tp = rs.filter((r) => r.label === 1 && r.pred === 1).length;
      const fn = rs.filter((r) => r.label === 1 && r.pred !== 1).length;
      const fp = rs.filter((r) => r.label !== 1 && r.pred === 1).length;
      const tn = rs.filter((r) => r.label !== 1 && r.pred !== 1).length;
      return { tpr: tp / (tp + fn), fpr: fp / (fp + tn) };
    };
    const ra = rates('a');
    const rb = rates('b');
    const eod = Math.max(Math.abs(ra.tpr - rb.tpr), Math.abs(ra.fpr - rb.fpr));
    const mae = ww.reduce((s, x) => s + Math.abs(x.score - x.label), 0) / ww.length;

    const m = await scrape(b.url);
    expect(metricSum(m, 'servingstack_labelled_rows', { model: 'bc' })).toBe(rows.length);
    expect(metricSum(m, 'servingstack_model_accuracy', { model: 'bc' })).toBeCloseTo(accuracy, 12);
    expect(metricSum(m, 'servingstack_fairness_equalized_odds_difference', { model: 'bc' })).toBeCloseTo(eod, 12);
    expect(eod).toBeGreaterThan(0.1);
    expect(metricSum(m, 'servingstack_labelled_rows', { model: 'ww' })).toBe(24);
    expect(metricSum(m, 'servingstack_model_mae', { model: 'ww' })).toBeCloseTo(mae, 6);
    // B ran no inference for them (only its warm-up); A scored no labels.
    expect(metricSum(m, 'servingstack_inference_rows_total', { model: 'bc' })).toBe(metricSum(before, 'servingstack_inference_rows_total', { model: 'bc' }));
    expect(metricSum(await scrape(a.url), 'servingstack_labelled_rows', { model: 'bc' })).toBe(0);

    // --- duplicates: refused by the replica that saw the token; another replica counts it (documented).
    const dup = await request(`${b.url}/invocations`, { method: 'POST', headers: { 'content-type': FEEDBACK, 'x-amzn-sagemaker-target-model': 'bc.tar.gz' }, body: JSON.stringify({ token: bc[0].token, labels: bc[0].labels }) });
    expect(dup.status).toBe(400);
    expect(dup.json.code).toBe('RT_ERR_BAD_FEEDBACK');
    expect(metricSum(await scrape(b.url), 'servingstack_labelled_rows', { model: 'bc' })).toBe(rows.length);
    const elsewhere = await request(`${a.url}/invocations`, { method: 'POST', headers: { 'content-type': FEEDBACK, 'x-amzn-sagemaker-target-model': 'bc.tar.gz' }, body: JSON.stringify({ token: bc[0].token, labels: bc[0].labels }) });
    expect(elsewhere.json.accepted).toBe(1);
    expect(b.out.log).not.toMatch(/"level":(50|60)/);
  });
});

/**
 * Prediction tokens and labels through every platform's own invoke path, over HTTP: where each
 * protocol returns the token, how each takes feedback, and every kind of bad feedback refused with
 * a 4xx naming the field and counted in servingstack_monitoring_skipped_total.
 */
import * as fs from 'node:fs';
import { signToken } from '../../lib/runtime/feedback-token';
import { breastCancerPackage, KEY, ROWS } from './feedback-fixtures';
import { expectError, metricSum, postJson, request, scrape, startServer, TestServer } from './helpers';

const FEEDBACK = 'application/vnd.servingstack.feedback+json';
const VERTEX_ROUTE = '/v1/endpoints/1/deployedModels/2:predict';

describe('prediction tokens and feedback through the predict routes', () => {
  let s: TestServer;
  let dir: string;
  beforeAll(async () => {
    dir = breastCancerPackage();
    s = await startServer(
      { modelDir: dir },
      { env: { SERVINGSTACK_FEEDBACK_KEY: KEY, SERVINGSTACK_FAIRNESS_GROUP: 'segment', SERVINGSTACK_FAIRNESS_MIN_GROUP_COUNT: '2', AIP_PREDICT_ROUTE: VERTEX_ROUTE, AIP_HEALTH_ROUTE: '/health' } },
    );
  });
  afterAll(async () => {
    await s.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const labelled = async (): Promise<number> => metricSum(await scrape(s.url), 'servingstack_labelled_rows', { model: 'breast-cancer' });
  const skipped = async (reason: string): Promise<number> => metricSum(await scrape(s.url), 'servingstack_monitoring_skipped_total', { reason });

  test('SageMaker /invocations: token in the header, the custom attributes and metadata; labels back through /invocations (content type or custom attribute)', async () => {
    const r = await postJson(`${s.url}/invocations`, { instances: [ROWS[0].features, ROWS[1].features], parameters: { segment: 'a' } }, { 'x-amzn-sagemaker-custom-attributes': 'trace=1' });
    expect(r.status).toBe(200);
    const token = r.headers.get('x-servingstack-prediction-token')!;
    expect(token).toMatch(/^ss1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(r.json.metadata).toEqual({ predictionToken: token });
    expect(r.json.predictions).toHaveLength(2);
    expect(r.headers.get('x-amzn-sagemaker-custom-attributes')).toBe(`trace=1,servingstack-token=${token}`);
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(claims).toMatchObject({ m: 'breast-cancer', v: expect.any(String), g: 'a' });
    expect((claims.e as number) - (claims.t as number)).toBe(86_400);

    const before = await labelled();
    const fb = await request(`${s.url}/invocations`, { method: 'POST', headers: { 'content-type': FEEDBACK }, body: JSON.stringify({ token, labels: [ROWS[0].label, ROWS[1].label] }) });
    expect(fb.status).toBe(200);
    expect(fb.json).toEqual({ accepted: 1, skipped: [] });
    expect(await labelled()).toBe(before + 2);

    const r2 = await postJson(`${s.url}/invocations`, { instances: [ROWS[2].features], parameters: { segment: 'b' } });
    const viaAttr = await postJson(`${s.url}/invocations`, { token: r2.headers.get('x-servingstack-prediction-token'), labels: ROWS[2].label }, { 'x-amzn-sagemaker-custom-attributes': 'servingstack-feedback=1' });
    expect(viaAttr.status).toBe(200);
    expect(viaAttr.json.accepted).toBe(1);
    expect(await labelled()).toBe(before + 3);
  });

  test('CSV and JSON Lines answers keep their bodies; the token is in the header', async () => {
    const csv = await request(`${s.url}/invocations`, { method: 'POST', headers: { 'content-type': 'text/csv', accept: 'text/csv' }, body: ROWS[3].features.join(',') });
    expect(csv.status).toBe(200);
    expect(csv.text).not.toContain('ss1.');
    expect(csv.headers.get('x-servingstack-prediction-token')).toMatch(/^ss1\./);
  });

  test('Vertex AI predict route: token in metadata; labels with the servingstack_feedback parameter', async () => {
    const r = await postJson(`${s.url}${VERTEX_ROUTE}`, { instances: [ROWS[4].features], parameters: { segment: 'a' } });
    expect(r.status).toBe(200);
    const token = r.json.metadata.predictionToken as string;
    expect(token).toBe(r.headers.get('x-servingstack-prediction-token'));
    const before = await labelled();
    const fb = await postJson(`${s.url}${VERTEX_ROUTE}`, { instances: [{ token, labels: ROWS[4].label }], parameters: { servingstack_feedback: true } });
    expect(fb.status).toBe(200);
    expect(fb.json).toEqual({ accepted: 1, skipped: [] });
    expect(await labelled()).toBe(before + 1);
    // rawPredict forwards the Content-Type: the feedback type works there too.
    const r2 = await postJson(`${s.url}${VERTEX_ROUTE}`, { instances: [ROWS[5].features] });
    const raw = await request(`${s.url}${VERTEX_ROUTE}`, { method: 'POST', headers: { 'content-type': FEEDBACK }, body: JSON.stringify({ token: r2.json.metadata.predictionToken, labels: [ROWS[5].label] }) });
    expect(raw.json.accepted).toBe(1);
  });

  test('Azure /score and OIP infer: token returned and labels taken with the feedback content type', async () => {
    const az = await postJson(`${s.url}/score`, { input_data: [ROWS[6].features] });
    expect(az.status).toBe(200);
    const azFb = await request(`${s.url}/score`, { method: 'POST', headers: { 'content-type': FEEDBACK }, body: JSON.stringify({ feedback: [{ token: az.json.metadata.predictionToken, labels: [ROWS[6].label] }] }) });
    expect(azFb.json.accepted).toBe(1);

    const oip = await postJson(`${s.url}/v2/models/breast-cancer/infer`, { inputs: [{ name: 'input', shape: [1, 30], datatype: 'FP32', data: ROWS[7].features }] });
    expect(oip.status).toBe(200);
    const token = oip.json.parameters.prediction_token as string;
    expect(token).toBe(oip.headers.get('x-servingstack-prediction-token'));
    const oipFb = await request(`${s.url}/v2/models/breast-cancer/infer`, { method: 'POST', headers: { 'content-type': FEEDBACK }, body: JSON.stringify({ token, labels: [ROWS[7].label] }) });
    expect(oipFb.json.accepted).toBe(1);
    // The id path stays for single-replica use.
    const byId = await postJson(`${s.url}/v2/models/breast-cancer/infer`, { id: 'single-replica', inputs: [{ name: 'input', shape: [1, 30], datatype: 'FP32', data: ROWS[8].features }] });
    expect(byId.status).toBe(200);
    expect((await postJson(`${s.url}/feedback`, { id: 'single-replica', labels: [ROWS[8].label] })).json.accepted).toBe(1);
  });

  test('bad feedback: 4xx naming the field, each counted, the server unharmed', async () => {
    const r = await postJson(`${s.url}/invocations`, { instances: [ROWS[9].features, ROWS[10].features], parameters: { segment: 'a' } });
    const token = r.headers.get('x-servingstack-prediction-token')!;
    const send = (body: unknown): ReturnType<typeof request> => request(`${s.url}/invocations`, { method: 'POST', headers: { 'content-type': FEEDBACK }, body: JSON.stringify(body) });

    const missing0 = await skipped('missing_token');
    expectError(await send({ labels: [1, 1] }), 400, 'RT_ERR_BAD_FEEDBACK', 'token');
    expectError(await send({ feedback: [{ token, labels: [1, 1] }, { labels: [0] }] }), 400, 'RT_ERR_BAD_FEEDBACK', 'feedback[1].token');
    expect(await skipped('missing_token')).toBe(missing0 + 2);

    const [p, payload, sig] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, p: ['1', '1'] })).toString('base64url');
    const invalid0 = await skipped('invalid_token');
    const tampered = await send({ token: `${p}.${forged}.${sig}`, labels: [1, 1] });
    expectError(tampered, 400, 'RT_ERR_FEEDBACK_TOKEN_INVALID', 'token');
    expect(tampered.json.error).toMatch(/signature does not match/);
    expectError(await send({ token: `${p}.${payload}.${sig.slice(0, -2)}AA`, labels: [1, 1] }), 400, 'RT_ERR_FEEDBACK_TOKEN_INVALID', 'token');
    expectError(await send({ token: 'not-a-token', labels: [1, 1] }), 400, 'RT_ERR_FEEDBACK_TOKEN_INVALID', 'token');
    expectError(await send({ token: 42, labels: [1, 1] }), 400, 'RT_ERR_FEEDBACK_TOKEN_INVALID', 'token');
    expect(await skipped('invalid_token')).toBe(invalid0 + 4);

    const key = Buffer.from(KEY);
    const expired = signToken(key, { model: 'breast-cancer', version: claims.v as string, predictions: ['1'] }, 60, Date.now() - 3_600_000);
    expectError(await send({ token: expired, labels: [1] }), 400, 'RT_ERR_FEEDBACK_TOKEN_EXPIRED', 'token');
    expect(await skipped('expired_token')).toBeGreaterThanOrEqual(1);

    const otherModel = signToken(key, { model: 'no-such-model', version: '1', predictions: ['1'] }, 60);
    expectError(await send({ token: otherModel, labels: [1] }), 404, 'RT_ERR_MODEL_NOT_FOUND', 'token');
    const otherVersion = signToken(key, { model: 'breast-cancer', version: '0.0.0-old', predictions: ['1'] }, 60);
    expectError(await send({ token: otherVersion, labels: [1] }), 404, 'RT_ERR_MODEL_NOT_FOUND', 'token');
    expect(await skipped('unknown_model')).toBe(1);
    expect(await skipped('wrong_model')).toBe(1);

    const bad0 = await skipped('bad_label');
    const wrongType = await send({ token, labels: [{ cls: 1 }, 0] });
    expectError(wrongType, 400, 'RT_ERR_BAD_FEEDBACK', 'labels');
    expect(await skipped('bad_label')).toBe(bad0 + 1);
    expectError(await send({ token, labels: [1] }), 400, 'RT_ERR_BAD_FEEDBACK', 'labels'); // one label for two rows

    // A refused label does not use the token up; the corrected one counts, once.
    const before = await labelled();
    expect((await send({ token, labels: [ROWS[9].label, ROWS[10].label] })).json.accepted).toBe(1);
    const dup = await send({ token, labels: [ROWS[9].label, ROWS[10].label] });
    expectError(dup, 400, 'RT_ERR_BAD_FEEDBACK', 'token');
    expect(dup.json.error).toMatch(/already labelled/);
    const mixed = await send({ feedback: [{ token, labels: [0, 0] }, { token: 'x', labels: [1] }] });
    expect(mixed.status).toBe(400);
    expect(await labelled()).toBe(before + 2);
    expect(await skipped('already_labelled')).toBeGreaterThanOrEqual(2);

    expectError(await send([1, 2]), 400, 'RT_ERR_BAD_FEEDBACK', 'body');
    expectError(await request(`${s.url}/invocations`, { method: 'POST', headers: { 'content-type': FEEDBACK }, body: '{"token":' }), 400, 'RT_ERR_BAD_JSON');
    expect((await request(`${s.url}/ping`)).status).toBe(200);
  });

  test('fairness moves with labels (equalised odds from the labelled rows)', async () => {
    const tokens: { token: string; label: number; seg: string }[] = [];
    for (let i = 20; i < 60; i++) {
      const seg = i % 2 ? 'a' : 'b';
      const r = await postJson(`${s.url}/invocations`, { instances: [ROWS[i].features], parameters: { segment: seg } });
      tokens.push({ token: r.headers.get('x-servingstack-prediction-token')!, label: ROWS[i].label, seg });
    }
    // Flip the labels of group b: its error rates diverge from group a's.
    const res = await postJson(`${s.url}/feedback`, { feedback: tokens.map((t) => ({ token: t.token, labels: t.seg === 'b' ? 1 - t.label : t.label })) });
    expect(res.json.accepted).toBe(40);
    const eod = metricSum(await scrape(s.url), 'servingstack_fairness_equalized_odds_difference', { model: 'breast-cancer' });
    expect(eod).toBeGreaterThan(0.5);
  });
});

describe('without a key', () => {
  test('no tokens are returned, answers are unchanged, and a token sent as feedback is refused with RT_ERR_FEEDBACK_KEY', async () => {
    const dir = breastCancerPackage();
    const s = await startServer({ modelDir: dir });
    try {
      const r = await postJson(`${s.url}/invocations`, { instances: [ROWS[0].features] });
      expect(r.headers.get('x-servingstack-prediction-token')).toBeNull();
      expect(Object.keys(r.json)).toEqual(['predictions']);
      const token = signToken(Buffer.from(KEY), { model: 'breast-cancer', version: '1', predictions: ['1'] }, 60);
      expectError(await request(`${s.url}/invocations`, { method: 'POST', headers: { 'content-type': FEEDBACK }, body: JSON.stringify({ token, labels: [1] }) }), 409, 'RT_ERR_FEEDBACK_KEY', 'token');
    } finally {
      await s.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * A model with fixed shapes and batching disabled (test/fixtures/models/static-shape:
 * x FP32 [1, 3] → y = x + 1): OIP and {instances} requests, and no batching under concurrency.
 */
import { expectError, metricSum, MODELS, postJson, request, scrape, startServer, TestServer } from './helpers';

let s: TestServer;
beforeAll(async () => {
  s = await startServer({ modelDir: MODELS.staticShape, workers: 1 });
});
afterAll(async () => {
  await s?.close();
});

const oip = (data: number[], shape = [1, 3]) => ({ inputs: [{ name: 'x', datatype: 'FP32', shape, data }] });

test('metadata shows the fixed dims', async () => {
  const r = await request(`${s.url}/v2/models/static-shape`);
  expect(r.json.inputs).toEqual([{ name: 'x', datatype: 'FP32', shape: [1, 3] }]);
  expect(r.json.outputs).toEqual([{ name: 'y', datatype: 'FP32', shape: [1, 3] }]);
});

test('OIP infer at the fixed shape works; another shape is refused', async () => {
  const r = await postJson(`${s.url}/v2/models/static-shape/infer`, oip([1, 2, 3]));
  expect(r.status).toBe(200);
  expect(r.json.outputs[0]).toEqual({ name: 'y', datatype: 'FP32', shape: [1, 3], data: [2, 3, 4] });
  expectError(await postJson(`${s.url}/v2/models/static-shape/infer`, oip([1, 2, 3, 4, 5, 6], [2, 3])), 400, 'RT_ERR_SHAPE', 'inputs[0].shape');
});

test('{instances} with one row maps onto the fixed [1, 3] input', async () => {
  const r = await postJson(`${s.url}/invocations`, { instances: [[1, 2, 3]] });
  expect(r.status).toBe(200);
  expect(r.json).toEqual({ predictions: [[2, 3, 4]] });
  // One instance that is the whole [1, 3] tensor is read the same way.
  const whole = await postJson(`${s.url}/invocations`, { instances: [[[1, 2, 3]]] });
  expect(whole.status).toBe(200);
  // Two rows do not fit a model that takes exactly one.
  expectError(await postJson(`${s.url}/invocations`, { instances: [[1, 2, 3], [4, 5, 6]] }), 400, 'RT_ERR_SHAPE');
});

test('concurrent requests are never batched together, and each gets its own answer', async () => {
  const before = metricSum(await scrape(s.url), 'servingstack_batch_size_rows_count', { model: 'static-shape' });
  const results = await Promise.all(Array.from({ length: 12 }, (_, k) => postJson(`${s.url}/v2/models/static-shape/infer`, oip([k, k, k]))));
  results.forEach((r, k) => {
    expect(r.status).toBe(200);
    expect(r.json.outputs[0].data).toEqual([k + 1, k + 1, k + 1]);
  });
  const m = await scrape(s.url);
  expect(metricSum(m, 'servingstack_batch_size_rows_count', { model: 'static-shape' }) - before).toBe(12);
  expect(metricSum(m, 'servingstack_batch_size_rows_bucket', { model: 'static-shape', le: '1' })).toBe(metricSum(m, 'servingstack_batch_size_rows_count', { model: 'static-shape' }));
});

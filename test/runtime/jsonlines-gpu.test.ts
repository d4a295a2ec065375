import { loadConfig } from '../../lib/runtime/config';
import { MODELS, startServer, TestServer } from './helpers';

describe('SageMaker JSON Lines', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ modelDir: MODELS.tiny, workers: 1 });
  });
  afterAll(() => s.close());

  test('GIVEN one instance per line WHEN invoked THEN one prediction per line comes back', async () => {
    const res = await fetch(`${s.url}/invocations`, {
      method: 'POST',
      headers: { 'content-type': 'application/jsonlines' },
      body: '[1,2,3,4]\n[0,0,0,0]\n',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/jsonlines/);
    const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l) as number[]);
    expect(lines).toEqual([
      [3, 5, 7, 9],
      [1, 1, 1, 1],
    ]);
  });

  test('a malformed line is a 400 naming the body', async () => {
    const res = await fetch(`${s.url}/invocations`, { method: 'POST', headers: { 'content-type': 'application/jsonlines' }, body: '[1,2,3,4]\n{oops\n' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'RT_ERR_BAD_JSON', field: 'body' });
  });
});

describe('SERVINGSTACK_GPU_DEVICES', () => {
  test('parses device ids and rejects bad ones naming the variable', () => {
    expect(loadConfig({ SERVINGSTACK_MULTI_MODEL: 'true', SERVINGSTACK_GPU_DEVICES: '0, 1' }).gpuDeviceIds).toEqual([0, 1]);
    expect(loadConfig({ SERVINGSTACK_MULTI_MODEL: 'true' }).gpuDeviceIds).toEqual([0]);
    expect(() => loadConfig({ SERVINGSTACK_MULTI_MODEL: 'true', SERVINGSTACK_GPU_DEVICES: 'gpu0' })).toThrow(/SERVINGSTACK_GPU_DEVICES: is not a list of device ids; received "gpu0"/);
  });
});

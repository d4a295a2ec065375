/** The executor and `servingstack azure` against a fake of ARM, Azure Monitor and Blob on loopback. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ArmClient, AzureRollout, fetchHttpClient, listPackageFiles, uploadPackage } from '../../../constructs/azure/rollout';
import { azureDependencies } from '../../../bin/commands/azure';
import { runCli } from '../../support/cli';
import { FakeAzure } from './support/fake-azure';
import { PACKAGE, SUB } from './support/stack';

const settings = { subscriptionId: SUB, resourceGroupName: 'rg-ml', workspaceName: 'ws-mlw', endpointName: 'scoring', apiVersion: '2024-10-01' };
let fake: FakeAzure;
let base: string;
const sleeps: number[] = [];

beforeEach(async () => {
  fake = new FakeAzure();
  base = await fake.start();
  sleeps.length = 0;
  azureDependencies.http = () => fetchHttpClient(10_000);
  azureDependencies.token = () => async () => 'test-token';
  azureDependencies.sleep = async (ms) => void sleeps.push(ms);
});
afterEach(async () => fake.stop());

function rollout(): AzureRollout {
  const arm = new ArmClient({ http: fetchHttpClient(10_000), token: async () => 'test-token', baseUrl: base, sleep: async () => undefined });
  return new AzureRollout({ arm, settings, sleep: async (ms) => void sleeps.push(ms), progress: (l) => { if (process.env.AZ_DEBUG) console.log(l); } });
}

describe('AzureRollout', () => {
  test('promote walks the steps through PATCH + async operation, baking between them, and resumes after an interruption', async () => {
    const first = await rollout().promote({ target: 'green', policy: { mirrorPercent: 10 }, bakeSeconds: 60, maxSteps: 2 });
    expect(first.outcome).toBe('in-progress');
    expect(fake.patches).toEqual([
      { properties: { traffic: { blue: 100, green: 0 }, mirrorTraffic: { green: 10 } } },
      { properties: { traffic: { blue: 90, green: 10 }, mirrorTraffic: {} } },
    ]);
    const second = await rollout().promote({ target: 'green', policy: { mirrorPercent: 10 }, bakeSeconds: 60 });
    expect(second.outcome).toBe('promoted');
    expect(fake.traffic).toEqual({ blue: 0, green: 100 });
    expect(fake.patches).toHaveLength(4);
    expect(sleeps.filter((s) => s === 60_000).length).toBeGreaterThanOrEqual(2);
    // Health came from Azure Monitor, filtered by deployment and split by status class.
    expect(fake.requests.some((r) => r.includes('metricnames=RequestsPerMinute') && decodeURIComponent(r.replace(/\+/g, ' ')).includes("deployment eq 'green' and statusCodeClass eq '*'"))).toBe(true);
    const again = await rollout().promote({ target: 'green', bakeSeconds: 60 });
    expect(again.outcome).toBe('promoted');
    expect(fake.patches).toHaveLength(4);
  });

  test('a failed health gate rolls back automatically', async () => {
    fake.deployments.green!.requests = { '2xx': 90, '5xx': 10 };
    fake.traffic = { blue: 90, green: 10 };
    const r = await rollout().promote({ target: 'green', bakeSeconds: 1 });
    expect(r.outcome).toBe('rolled-back');
    expect(fake.traffic).toEqual({ blue: 100, green: 0 });
    expect(r.plans.find((p) => p.unhealthy)?.reasons[0]).toBe('green: error rate 10 % is above 1 %');
  });

  test('ARM errors surface with the code and message Azure sent', async () => {
    const arm = new ArmClient({ http: fetchHttpClient(10_000), token: async () => 'wrong', baseUrl: base });
    await expect(new AzureRollout({ arm, settings }).observe()).rejects.toMatchObject({ code: 'SS_ERR_AZURE_ROLLOUT_FAILED', issues: [expect.objectContaining({ field: 'InvalidAuthenticationToken', received: 401 })] });
  });
});

describe('uploadPackage', () => {
  test('files arrive byte for byte, large ones in several blocks', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'az-up-'));
    try {
      fs.cpSync(PACKAGE, dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'weights.bin'), Buffer.alloc(2_500_000, 7));
      fs.writeFileSync(path.join(dir, 'empty.txt'), '');
      const files = listPackageFiles(dir);
      const r = await uploadPackage(files, `${base}/blob/acct/servingstack-models/models/m/1/package`, fetchHttpClient(10_000), async () => 'test-token', 1_000_000);
      expect(r.files).toBe(files.length);
      for (const f of files) expect([f.rel, fake.blobs.get(`acct/servingstack-models/models/m/1/package/${f.rel}`)?.equals(fs.readFileSync(f.abs))]).toEqual([f.rel, true]);
      expect(fake.requests.filter((q) => q.includes('weights.bin?comp=block&')).length).toBe(3);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('servingstack azure (CLI)', () => {
  function outputsFile(digest: string): string {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'az-out-')), 'outputs.json');
    fs.writeFileSync(file, JSON.stringify({ serving: { Scoring_rollout: { kind: 'servingstack.azure.rollout', schemaVersion: 1, ...settings, deployments: { blue: { name: 'breast-cancer', version: '1.0.0', packageDigest: digest, packageUrl: 'https://acctst.blob.core.windows.net/servingstack-models/models/breast-cancer/1.0.0/package' } } } } }));
    return file;
  }

  test('upload checks the package against the stack, then writes it; promote, status and rollback drive the fake endpoint', async () => {
    const { packageDigest } = await import('../../../constructs/azure/rollout/package-files');
    const digest = packageDigest(listPackageFiles(PACKAGE));
    const outputs = outputsFile(digest);
    const up = await runCli('azure', 'upload', PACKAGE, '--outputs', outputs, '--blob-endpoint', `${base}/blob/acctst`);
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    expect(up.stdout).toMatch(/uploaded \d+ files .* for deployment blue/);
    expect(fake.blobs.has('acctst/servingstack-models/models/breast-cancer/1.0.0/package/servingstack.json')).toBe(true);

    const wrong = await runCli('azure', 'upload', path.join(__dirname, '../gcp/fixtures/tiny'), '--outputs', outputs, '--blob-endpoint', `${base}/blob/acctst`);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/SS_ERR_AZURE_UPLOAD_FAILED/);

    const promote = await runCli('azure', 'promote', 'green', '--outputs', outputs, '--arm-url', base, '--bake-seconds', '0', '--steps', '50,100');
    expect(promote.code).toBe(0);
    expect(promote.stdout).toMatch(/promoted: green/);
    expect(fake.traffic).toEqual({ blue: 0, green: 100 });
    const status = await runCli('azure', 'status', '--outputs', outputs, '--arm-url', base, '--window', '10');
    expect(status.stdout).toMatch(/green\s+Succeeded\s+2\s+100%/);
    const back = await runCli('azure', 'rollback', '--to', 'blue', '--outputs', outputs, '--arm-url', base);
    expect(back.code).toBe(0);
    expect(fake.traffic).toEqual({ blue: 100, green: 0 });
  });

  test('bad options fail before any call, naming each field', async () => {
    const r = await runCli('azure', 'promote', 'green', '--subscription-id', 'nope', '--resource-group', 'rg', '--workspace', 'ws', '--endpoint', 'e', '--steps', '60,30', '--mirror', '70', '--arm-url', base);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/SS_ERR_AZURE_ROLLOUT_INPUT/);
    expect(r.stderr).toMatch(/--steps/);
    expect(r.stderr).toMatch(/--mirror: is out of range; received 70/);
    const s = await runCli('azure', 'status', '--subscription-id', 'nope', '--resource-group', 'rg', '--workspace', 'ws', '--endpoint', 'e', '--arm-url', base);
    expect(s.stderr).toMatch(/subscriptionId: has the wrong form; received "nope"/);
    expect(fake.requests).toEqual([]);
  });
});

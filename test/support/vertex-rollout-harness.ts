/**
 * Wiring for rollout tests: the fake Vertex server, the real clients pointed at it, an in-memory
 * artifact store, a health source that reads replica status from the fake over gRPC and takes
 * scripted error rates, and a virtual clock so bakes take no wall time.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import {
  ArtifactStore, EndpointReplicaHealth, HealthQuery, HealthReport, HealthSource, ResolvedRolloutSettings, VertexClients, VertexRollout,
  createVertexClients, resolveRolloutSettings,
} from '../../constructs/gcp/rollout';
import { FakeVertex } from './fake-vertex';

export const ENDPOINT_ID = '1234567890';
export const FIXTURE = path.join(__dirname, '..', 'constructs', 'gcp', 'fixtures', 'tiny');

export class MemoryArtifactStore implements ArtifactStore {
  public readonly objects = new Map<string, number>();
  public uploads = 0;

  public async exists(uri: string): Promise<boolean> {
    return this.objects.has(uri);
  }

  public async upload(localFile: string, uri: string): Promise<void> {
    if (this.objects.has(uri)) throw new Error(`precondition failed: ${uri} exists`);
    this.uploads += 1;
    this.objects.set(uri, fs.statSync(localFile).size);
  }
}

/** Replica status from the fake (real GetEndpoint), error rates from a script. */
export class ScriptedHealth implements HealthSource {
  public errorRates: (number | undefined)[] = [];
  /** Predictions reported by each check (shifted); when empty, `defaultPredictions`. */
  public predictions: (number | undefined)[] = [];
  public defaultPredictions: number | undefined = 1000;
  public checks = 0;
  public interruptAt?: number;
  private readonly replicas: EndpointReplicaHealth;

  constructor(clients: VertexClients) {
    this.replicas = new EndpointReplicaHealth(clients);
  }

  public async check(q: HealthQuery): Promise<HealthReport> {
    this.checks += 1;
    if (this.interruptAt === this.checks) throw new Error('interrupted (simulated crash of the rollout process)');
    const r = await this.replicas.check(q);
    const errorRate = this.errorRates.length > 0 ? this.errorRates.shift() : 0;
    const predictions = this.predictions.length > 0 ? this.predictions.shift() : this.defaultPredictions;
    return { ...r, errorRate, predictions, detail: `${r.detail}; error rate ${errorRate ?? 'n/a'}; ${predictions ?? 'unknown'} predictions` };
  }
}

export function settings(overrides: Record<string, unknown> = {}): ResolvedRolloutSettings {
  return resolveRolloutSettings({
    kind: 'servingstack.gcp.rollout',
    schemaVersion: 1,
    project: 'demo-project',
    region: 'europe-west4',
    endpointId: ENDPOINT_ID,
    modelId: 'tiny',
    artifactPrefix: 'gs://demo-project-servingstack-models/models',
    imageUri: 'europe-west4-docker.pkg.dev/demo-project/servingstack-runtime/servingstack-runtime:0.1.0',
    runtimeServiceAccount: 'servingstack-runtime@demo-project.iam.gserviceaccount.com',
    deployment: { machineType: 'g2-standard-8', minReplicaCount: 1, maxReplicaCount: 3, targetAcceleratorDutyCyclePercent: 70 },
    policy: { canaryTrafficPercent: 10, bakeTimeSeconds: 60, maxErrorRatePercent: 1, minPredictions: 50, maxBakeTimeSeconds: 120 },
    env: { SERVINGSTACK_WORKERS: '2' },
    ...overrides,
  });
}

/** A copy of the fixture package with another manifest version. */
export function packageVersion(version: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gcp-pkg-'));
  for (const f of fs.readdirSync(FIXTURE)) fs.copyFileSync(path.join(FIXTURE, f), path.join(dir, f));
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'servingstack.json'), 'utf8'));
  fs.writeFileSync(path.join(dir, 'servingstack.json'), JSON.stringify({ ...manifest, version }));
  return dir;
}

export interface Harness {
  readonly fake: FakeVertex;
  readonly clients: VertexClients;
  readonly artifacts: MemoryArtifactStore;
  readonly health: ScriptedHealth;
  readonly lines: string[];
  rollout(overrides?: Record<string, unknown>): VertexRollout;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const fake = new FakeVertex('demo-project', 'europe-west4');
  const port = await fake.start();
  fake.createEndpoint(ENDPOINT_ID);
  const clients = createVertexClients({ region: 'europe-west4', apiEndpoint: '127.0.0.1', port, sslCreds: grpc.credentials.createInsecure() });
  const artifacts = new MemoryArtifactStore();
  const health = new ScriptedHealth(clients);
  const lines: string[] = [];
  let clock = Date.UTC(2026, 10, 25, 12, 0, 0);
  return {
    fake,
    clients,
    artifacts,
    health,
    lines,
    rollout: (overrides = {}) =>
      new VertexRollout({
        settings: settings(overrides),
        clients,
        artifacts,
        health,
        progress: { step: (line) => lines.push(line), detail: (line) => lines.push(line) },
        checkIntervalSeconds: 20,
        now: () => clock,
        sleep: async (ms: number) => {
          clock += ms;
        },
      }),
    async close() {
      await clients.close();
      await fake.stop();
    },
  };
}

/**
 * A local fake of the Vertex AI ModelService, EndpointService and the long-running Operations
 * service, speaking the real gRPC protocol from the protos that ship with
 * `@google-cloud/aiplatform` (and google-gax for google.longrunning). The real Node clients talk
 * to it unchanged: uploads and deploys are long-running operations the clients poll.
 *
 * It enforces the rules the rollout depends on: traffic splits sum to 100 and name deployed
 * models of the endpoint, a model holding traffic cannot be undeployed, version aliases are
 * unique within a model, the key "0" of a deploy traffic split is the model being deployed.
 */
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

// The client's own static message classes, used to pack google.protobuf.Any responses.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const protos = require('@google-cloud/aiplatform/build/protos/protos');

const AIP_PROTOS = path.dirname(require.resolve('@google-cloud/aiplatform/build/protos/protos.json'));
const GAX_PROTOS = path.join(path.dirname(require.resolve('google-gax')), '..', 'protos');

type Obj = Record<string, unknown>;
type Json = Record<string, unknown>;

export interface FakeModelVersion {
  name: string;
  versionId: string;
  displayName: string;
  versionAliases: string[];
  labels: Record<string, string>;
  artifactUri: string;
  containerSpec: Obj;
  versionDescription: string;
}

export interface FakeDeployedModel {
  id: string;
  model: string;
  modelVersionId: string;
  displayName: string;
  dedicatedResources: Obj;
  serviceAccount: string;
  status: { availableReplicaCount: number; message: string };
}

export interface FakeEndpoint {
  name: string;
  displayName: string;
  deployedModels: FakeDeployedModel[];
  trafficSplit: Record<string, number>;
}

export interface FakeCall {
  readonly method: string;
  readonly request: Obj;
}

interface Operation {
  name: string;
  pollsLeft: number;
  done: boolean;
  response?: { typeUrl: string; value: Buffer };
  error?: { code: number; message: string };
  /** Applied when the operation completes (the state change is not visible before). */
  complete?: () => void;
}

/** Knobs a test turns to script failures. */
export interface FakeBehaviour {
  /** GetOperation polls answered "not done" before an operation completes. @default 1 */
  pollsUntilDone: number;
  /** When set, the next DeployModel operation fails with this message. */
  failNextDeploy?: string;
  /** Available replicas reported for newly deployed models; -1 = min replica count. @default -1 */
  availableReplicas: number;
}

function grpcError(code: grpc.status, message: string): grpc.ServiceError {
  return Object.assign(new Error(message), { code, details: message, metadata: new grpc.Metadata() }) as grpc.ServiceError;
}

function sum(split: Record<string, number>): number {
  return Object.values(split).reduce((a, b) => a + Number(b), 0);
}

export class FakeVertex {
  public readonly calls: FakeCall[] = [];
  public readonly behaviour: FakeBehaviour = { pollsUntilDone: 1, availableReplicas: -1 };
  public readonly models = new Map<string, FakeModelVersion[]>();
  public readonly endpoints = new Map<string, FakeEndpoint>();
  private readonly operations = new Map<string, Operation>();
  private readonly server = new grpc.Server();
  private nextId = 1000;
  private port = 0;

  constructor(public readonly project = 'demo-project', public readonly region = 'europe-west4') {
    const def = protoLoader.loadSync(
      ['google/cloud/aiplatform/v1/model_service.proto', 'google/cloud/aiplatform/v1/endpoint_service.proto', 'google/longrunning/operations.proto'],
      { includeDirs: [AIP_PROTOS, GAX_PROTOS], keepCase: false, longs: String, enums: String, defaults: false, oneofs: true },
    );
    const pkg = grpc.loadPackageDefinition(def) as unknown as {
      google: {
        cloud: { aiplatform: { v1: { ModelService: { service: grpc.ServiceDefinition }; EndpointService: { service: grpc.ServiceDefinition } } } };
        longrunning: { Operations: { service: grpc.ServiceDefinition } };
      };
    };
    const v1 = pkg.google.cloud.aiplatform.v1;
    this.server.addService(v1.ModelService.service, this.handlers({
      UploadModel: (r) => this.uploadModel(r),
      GetModel: (r) => this.getModel(String(r.name)),
      ListModelVersions: (r) => this.listModelVersions(r),
      MergeVersionAliases: (r) => this.mergeVersionAliases(r),
    }));
    this.server.addService(v1.EndpointService.service, this.handlers({
      GetEndpoint: (r) => this.endpointOf(String(r.name)) as unknown as Obj,
      DeployModel: (r) => this.deployModel(r),
      UndeployModel: (r) => this.undeployModel(r),
      UpdateEndpoint: (r) => this.updateEndpoint(r),
      MutateDeployedModel: () => {
        throw grpcError(grpc.status.UNIMPLEMENTED, 'MutateDeployedModel is not faked');
      },
    }));
    this.server.addService(pkg.google.longrunning.Operations.service, this.handlers({
      GetOperation: (r) => this.getOperation(String(r.name)),
    }));
  }

  public get location(): string {
    return `projects/${this.project}/locations/${this.region}`;
  }

  public async start(): Promise<number> {
    this.port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))),
    );
    return this.port;
  }

  public async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.tryShutdown(() => resolve()));
  }

  /** What Terraform provisions: an empty endpoint. */
  public createEndpoint(id: string): FakeEndpoint {
    const ep: FakeEndpoint = { name: `${this.location}/endpoints/${id}`, displayName: id, deployedModels: [], trafficSplit: {} };
    this.endpoints.set(ep.name, ep);
    return ep;
  }

  public callNames(): string[] {
    return this.calls.map((c) => c.method);
  }

  // --- plumbing -----------------------------------------------------------------------------

  private handlers(impl: Record<string, (req: Obj) => unknown>): grpc.UntypedServiceImplementation {
    const out: grpc.UntypedServiceImplementation = {};
    for (const [method, fn] of Object.entries(impl)) {
      out[method] = (call: grpc.ServerUnaryCall<Obj, unknown>, callback: grpc.sendUnaryData<unknown>) => {
        this.calls.push({ method, request: call.request });
        try {
          callback(null, fn(call.request));
        } catch (e) {
          callback(e as grpc.ServiceError, null);
        }
      };
    }
    return out;
  }

  private id(): string {
    this.nextId += 1;
    return String(this.nextId);
  }

  private any(typeName: string, value: Obj): { typeUrl: string; value: Buffer } {
    const T = typeName.split('.').reduce((o: Json, k) => o[k] as Json, protos as Json) as unknown as {
      fromObject(o: Obj): unknown;
      encode(m: unknown): { finish(): Uint8Array };
    };
    return { typeUrl: `type.googleapis.com/${typeName}`, value: Buffer.from(T.encode(T.fromObject(value)).finish()) };
  }

  private operation(op: Omit<Operation, 'name' | 'pollsLeft' | 'done'>): Obj {
    const name = `${this.location}/operations/${this.id()}`;
    const stored: Operation = { ...op, name, pollsLeft: this.behaviour.pollsUntilDone, done: false };
    this.operations.set(name, stored);
    if (stored.pollsLeft <= 0) this.finish(stored);
    return this.renderOperation(stored);
  }

  private finish(op: Operation): void {
    op.done = true;
    if (!op.error) op.complete?.();
  }

  private renderOperation(op: Operation): Obj {
    const out: Obj = { name: op.name, done: op.done };
    if (op.done && op.error) out.error = op.error;
    else if (op.done && op.response) out.response = op.response;
    return out;
  }

  private getOperation(name: string): Obj {
    const op = this.operations.get(name);
    if (!op) throw grpcError(grpc.status.NOT_FOUND, `operation ${name} not found`);
    if (!op.done) {
      op.pollsLeft -= 1;
      if (op.pollsLeft <= 0) this.finish(op);
    }
    return this.renderOperation(op);
  }

  // --- models -------------------------------------------------------------------------------

  private versionsOf(modelName: string): FakeModelVersion[] {
    const versions = this.models.get(modelName);
    if (!versions) throw grpcError(grpc.status.NOT_FOUND, `Model ${modelName} not found`);
    return versions;
  }

  private resolveVersion(name: string): FakeModelVersion {
    const [model, ref] = name.split('@');
    const versions = this.versionsOf(model);
    const found = versions.find((v) => (ref === undefined ? v.versionAliases.includes('default') : v.versionId === ref || v.versionAliases.includes(ref)));
    if (!found) throw grpcError(grpc.status.NOT_FOUND, `Model version ${name} not found`);
    return found;
  }

  private uploadModel(r: Obj): Obj {
    const model = (r.model ?? {}) as Obj;
    let modelName: string;
    if (r.parentModel) {
      modelName = String(r.parentModel);
      this.versionsOf(modelName);
    } else {
      modelName = `${String(r.parent)}/models/${String(r.modelId || this.id())}`;
      if (this.models.has(modelName)) throw grpcError(grpc.status.ALREADY_EXISTS, `Model ${modelName} already exists`);
    }
    const existing = this.models.get(modelName) ?? [];
    const aliases = (model.versionAliases as string[] | undefined) ?? [];
    for (const a of aliases) {
      if (existing.some((v) => v.versionAliases.includes(a))) {
        throw grpcError(grpc.status.FAILED_PRECONDITION, `alias ${a} is already used by another version of ${modelName}`);
      }
    }
    if (!(model.containerSpec as Obj | undefined)?.imageUri) throw grpcError(grpc.status.INVALID_ARGUMENT, 'model.container_spec.image_uri is required');
    const version: FakeModelVersion = {
      name: modelName,
      versionId: String(existing.length + 1),
      displayName: String(model.displayName ?? ''),
      versionAliases: existing.length === 0 ? ['default', ...aliases] : aliases,
      labels: (model.labels as Record<string, string>) ?? {},
      artifactUri: String(model.artifactUri ?? ''),
      containerSpec: (model.containerSpec as Obj) ?? {},
      versionDescription: String(model.versionDescription ?? ''),
    };
    return this.operation({
      response: this.any('google.cloud.aiplatform.v1.UploadModelResponse', { model: modelName, modelVersionId: version.versionId }),
      complete: () => this.models.set(modelName, [...existing, version]),
    });
  }

  private renderModel(v: FakeModelVersion): Obj {
    return { ...v };
  }

  private getModel(name: string): Obj {
    return this.renderModel(this.resolveVersion(name));
  }

  private listModelVersions(r: Obj): Obj {
    return { models: this.versionsOf(String(r.name)).map((v) => this.renderModel(v)) };
  }

  private mergeVersionAliases(r: Obj): Obj {
    const version = this.resolveVersion(String(r.name));
    const all = this.versionsOf(version.name);
    for (const alias of (r.versionAliases as string[]) ?? []) {
      if (alias.startsWith('-')) {
        const a = alias.slice(1);
        if (a === 'default') throw grpcError(grpc.status.INVALID_ARGUMENT, 'the default alias cannot be removed');
        version.versionAliases = version.versionAliases.filter((x) => x !== a);
      } else {
        if (!/^[a-z][a-zA-Z0-9-]{0,126}[a-z0-9]$/.test(alias)) throw grpcError(grpc.status.INVALID_ARGUMENT, `invalid alias ${alias}`);
        const holder = all.find((v) => v !== version && v.versionAliases.includes(alias));
        if (holder) throw grpcError(grpc.status.FAILED_PRECONDITION, `alias ${alias} is already used by version ${holder.versionId}`);
        if (!version.versionAliases.includes(alias)) version.versionAliases.push(alias);
      }
    }
    return this.renderModel(version);
  }

  // --- endpoints ----------------------------------------------------------------------------

  private endpointOf(name: string): FakeEndpoint {
    const ep = this.endpoints.get(name);
    if (!ep) throw grpcError(grpc.status.NOT_FOUND, `Endpoint ${name} not found`);
    return ep;
  }

  private checkSplit(ep: FakeEndpoint, split: Record<string, number>, extraIds: string[] = []): void {
    const ids = new Set([...ep.deployedModels.map((d) => d.id), ...extraIds]);
    for (const key of Object.keys(split)) {
      if (!ids.has(key)) throw grpcError(grpc.status.INVALID_ARGUMENT, `traffic_split names ${key}, which is not deployed on ${ep.name}`);
    }
    if (Object.keys(split).length > 0 && sum(split) !== 100) throw grpcError(grpc.status.INVALID_ARGUMENT, `traffic_split must sum to 100, got ${sum(split)}`);
  }

  private deployModel(r: Obj): Obj {
    const ep = this.endpointOf(String(r.endpoint));
    const dm = (r.deployedModel ?? {}) as Obj;
    const version = this.resolveVersion(String(dm.model));
    const dedicated = (dm.dedicatedResources ?? {}) as Obj;
    const min = Number(dedicated.minReplicaCount ?? 0);
    if (min < 1) throw grpcError(grpc.status.INVALID_ARGUMENT, 'dedicated_resources.min_replica_count must be at least 1');
    const id = this.id();
    const split = { ...((r.trafficSplit as Record<string, number>) ?? {}) };
    if ('0' in split) {
      split[id] = split['0'];
      delete split['0'];
    }
    this.checkSplit(ep, split, [id]);
    const failure = this.behaviour.failNextDeploy;
    this.behaviour.failNextDeploy = undefined;
    const replicas = this.behaviour.availableReplicas < 0 ? min : this.behaviour.availableReplicas;
    const deployed: FakeDeployedModel = {
      id,
      model: version.name,
      modelVersionId: version.versionId,
      displayName: String(dm.displayName ?? ''),
      dedicatedResources: dedicated,
      serviceAccount: String(dm.serviceAccount ?? ''),
      status: { availableReplicaCount: replicas, message: replicas >= min ? 'ready' : 'waiting for replicas' },
    };
    return this.operation({
      error: failure ? { code: grpc.status.RESOURCE_EXHAUSTED, message: failure } : undefined,
      response: this.any('google.cloud.aiplatform.v1.DeployModelResponse', { deployedModel: { id, model: version.name, modelVersionId: version.versionId } }),
      complete: () => {
        ep.deployedModels.push(deployed);
        if (Object.keys(split).length > 0) ep.trafficSplit = split;
        else if (ep.deployedModels.length === 1) ep.trafficSplit = { [id]: 100 };
      },
    });
  }

  private undeployModel(r: Obj): Obj {
    const ep = this.endpointOf(String(r.endpoint));
    const id = String(r.deployedModelId);
    if (!ep.deployedModels.some((d) => d.id === id)) throw grpcError(grpc.status.NOT_FOUND, `deployed model ${id} not found on ${ep.name}`);
    const given = (r.trafficSplit as Record<string, number> | undefined) ?? {};
    const split = Object.keys(given).length > 0 ? given : ep.trafficSplit;
    const last = ep.deployedModels.length === 1;
    if (!last && (split[id] ?? 0) > 0) {
      throw grpcError(grpc.status.FAILED_PRECONDITION, `deployed model ${id} still receives ${split[id]}% of the traffic of ${ep.name}`);
    }
    return this.operation({
      response: this.any('google.cloud.aiplatform.v1.UndeployModelResponse', {}),
      complete: () => {
        ep.deployedModels = ep.deployedModels.filter((d) => d.id !== id);
        const next = { ...split };
        delete next[id];
        ep.trafficSplit = last ? {} : next;
      },
    });
  }

  private updateEndpoint(r: Obj): Obj {
    const patch = (r.endpoint ?? {}) as Obj;
    const ep = this.endpointOf(String(patch.name));
    const paths = ((r.updateMask as Obj | undefined)?.paths as string[] | undefined) ?? [];
    if (paths.includes('traffic_split')) {
      const split = (patch.trafficSplit as Record<string, number>) ?? {};
      this.checkSplit(ep, split);
      ep.trafficSplit = { ...split };
    }
    return ep as unknown as Obj;
  }
}

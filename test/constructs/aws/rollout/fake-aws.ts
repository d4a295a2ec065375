/**
 * An in-memory SageMaker (registry, models, configs, one endpoint), S3 and CloudWatch behind
 * aws-sdk-client-mock: enough state for the rollout to go through several versions, so a test
 * follows what the endpoint serves after each step instead of asserting single calls.
 */
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  AddTagsCommand, CreateEndpointConfigCommand, CreateModelCommand, CreateModelPackageCommand, DescribeEndpointCommand, DescribeEndpointConfigCommand,
  DescribeModelCommand, DescribeModelPackageCommand, ListModelPackagesCommand, ProductionVariant, UpdateEndpointCommand, UpdateModelPackageCommand,
} from '@aws-sdk/client-sagemaker';
import { AwsClientStub } from 'aws-sdk-client-mock';

export interface FakeVersion {
  arn: string;
  version: number;
  status: string;
  url: string;
  created: number;
  image: string;
}

export interface FakeModel {
  image?: string;
  url?: string;
  role?: string;
  env?: Record<string, string>;
}

export class FakeAws {
  public readonly versions: FakeVersion[] = [];
  public readonly models = new Map<string, FakeModel>();
  public readonly configs = new Map<string, { variants: ProductionVariant[]; kms?: string }>();
  public readonly objects = new Map<string, number>();
  public readonly updates: Array<{ config: string; retain?: boolean; deployment?: unknown }> = [];
  public endpoint: { name: string; status: string; config: string };
  public alarmsFiring: string[] = [];
  private clock = 0;

  constructor(
    public readonly account: string,
    public readonly region: string,
    public readonly group: string,
    endpointName: string,
    initial: { model: string; config: string; variant: string; image: string; url: string; role: string },
  ) {
    this.models.set(initial.model, { image: initial.image, url: initial.url, role: initial.role, env: { SERVINGSTACK_EMF: 'true' } });
    this.configs.set(initial.config, { variants: [{ VariantName: initial.variant, ModelName: initial.model, InstanceType: 'ml.c6i.large', InitialInstanceCount: 2 }], kms: 'key-1' });
    this.endpoint = { name: endpointName, status: 'InService', config: initial.config };
  }

  /** What the endpoint serves now: the model data URL of its first variant. */
  public get served(): string | undefined {
    const config = this.configs.get(this.endpoint.config);
    const model = config?.variants[0]?.ModelName;
    return model ? this.models.get(model)?.url : undefined;
  }

  public version(n: number): FakeVersion {
    const v = this.versions.find((x) => x.version === n);
    if (!v) throw new Error(`no version ${n}`);
    return v;
  }

  /** The EventBridge detail SageMaker would send for a version's status. */
  public event(n: number): { ModelPackageArn: string; ModelPackageGroupName: string; ModelPackageVersion: number; ModelApprovalStatus: string } {
    const v = this.version(n);
    return { ModelPackageArn: v.arn, ModelPackageGroupName: this.group, ModelPackageVersion: v.version, ModelApprovalStatus: v.status };
  }

  public install(sm: AwsClientStub<never>, s3?: AwsClientStub<never>, cw?: AwsClientStub<never>): void {
    const on = (stub: AwsClientStub<never>, cmd: unknown, fn: (input: never) => unknown): void => {
      (stub as unknown as { on(c: unknown): { callsFake(f: (i: never) => unknown): void } }).on(cmd).callsFake(fn);
    };
    on(sm, CreateModelPackageCommand, (i: { ModelPackageGroupName: string; ModelApprovalStatus?: string; InferenceSpecification: { Containers: Array<{ ModelDataUrl: string; Image: string }> } }) => {
      if (i.ModelPackageGroupName !== this.group) throw Object.assign(new Error(`group ${i.ModelPackageGroupName} does not exist`), { name: 'ValidationException' });
      const version = this.versions.length + 1;
      const arn = `arn:aws:sagemaker:${this.region}:${this.account}:model-package/${this.group.toLowerCase()}/${version}`;
      this.versions.push({ arn, version, status: i.ModelApprovalStatus ?? 'PendingManualApproval', url: i.InferenceSpecification.Containers[0].ModelDataUrl, image: i.InferenceSpecification.Containers[0].Image, created: ++this.clock });
      return { ModelPackageArn: arn };
    });
    on(sm, DescribeModelPackageCommand, (i: { ModelPackageName: string }) => {
      const v = this.versions.find((x) => x.arn === i.ModelPackageName);
      if (!v) throw Object.assign(new Error(`no model package ${i.ModelPackageName}`), { name: 'ValidationException' });
      return { ModelPackageArn: v.arn, ModelPackageVersion: v.version, ModelApprovalStatus: v.status, ModelPackageGroupName: this.group, InferenceSpecification: { Containers: [{ Image: v.image, ModelDataUrl: v.url }] } };
    });
    on(sm, ListModelPackagesCommand, (i: { ModelPackageGroupName: string; ModelApprovalStatus?: string; SortOrder?: string; MaxResults?: number }) => {
      let list = this.versions.filter((v) => i.ModelPackageGroupName === this.group && (!i.ModelApprovalStatus || v.status === i.ModelApprovalStatus));
      list = [...list].sort((a, b) => (i.SortOrder === 'Descending' ? b.created - a.created : a.created - b.created)).slice(0, i.MaxResults ?? 100);
      return { ModelPackageSummaryList: list.map((v) => ({ ModelPackageArn: v.arn, ModelPackageVersion: v.version, ModelApprovalStatus: v.status })) };
    });
    on(sm, UpdateModelPackageCommand, (i: { ModelPackageArn: string; ModelApprovalStatus: string }) => {
      const v = this.versions.find((x) => x.arn === i.ModelPackageArn);
      if (!v) throw new Error(`no model package ${i.ModelPackageArn}`);
      v.status = i.ModelApprovalStatus;
      return { ModelPackageArn: v.arn };
    });
    on(sm, DescribeEndpointCommand, () => ({ EndpointName: this.endpoint.name, EndpointStatus: this.endpoint.status, EndpointConfigName: this.endpoint.config }));
    on(sm, DescribeEndpointConfigCommand, (i: { EndpointConfigName: string }) => {
      const c = this.configs.get(i.EndpointConfigName);
      if (!c) throw new Error(`no endpoint config ${i.EndpointConfigName}`);
      return { EndpointConfigName: i.EndpointConfigName, ProductionVariants: c.variants, KmsKeyId: c.kms };
    });
    on(sm, DescribeModelCommand, (i: { ModelName: string }) => {
      const m = this.models.get(i.ModelName);
      if (!m) throw new Error(`no model ${i.ModelName}`);
      return { ModelName: i.ModelName, ExecutionRoleArn: m.role, PrimaryContainer: { Image: m.image, ModelDataUrl: m.url, Environment: m.env } };
    });
    on(sm, CreateModelCommand, (i: { ModelName: string; ExecutionRoleArn: string; PrimaryContainer: { Image: string; ModelDataUrl: string; Environment?: Record<string, string> } }) => {
      if (this.models.has(i.ModelName)) throw new Error(`model ${i.ModelName} exists`);
      this.models.set(i.ModelName, { image: i.PrimaryContainer.Image, url: i.PrimaryContainer.ModelDataUrl, role: i.ExecutionRoleArn, env: i.PrimaryContainer.Environment });
      return {};
    });
    on(sm, AddTagsCommand, () => ({}));
    on(sm, CreateEndpointConfigCommand, (i: { EndpointConfigName: string; ProductionVariants: ProductionVariant[]; KmsKeyId?: string }) => {
      for (const v of i.ProductionVariants) if (v.ModelName && !this.models.has(v.ModelName)) throw new Error(`config names missing model ${v.ModelName}`);
      this.configs.set(i.EndpointConfigName, { variants: i.ProductionVariants, kms: i.KmsKeyId });
      return {};
    });
    on(sm, UpdateEndpointCommand, (i: { EndpointConfigName: string; RetainAllVariantProperties?: boolean; DeploymentConfig?: unknown }) => {
      if (this.endpoint.status !== 'InService') throw new Error('endpoint is not InService');
      if (!this.configs.has(i.EndpointConfigName)) throw new Error(`no endpoint config ${i.EndpointConfigName}`);
      this.updates.push({ config: i.EndpointConfigName, retain: i.RetainAllVariantProperties, deployment: i.DeploymentConfig });
      this.endpoint.config = i.EndpointConfigName; // the blue/green update completed
      return {};
    });
    if (s3) {
      on(s3, HeadObjectCommand, (i: { Key: string; Bucket: string }) => {
        if (!this.objects.has(`${i.Bucket}/${i.Key}`)) throw Object.assign(new Error('NotFound'), { name: 'NotFound', $metadata: { httpStatusCode: 404 } });
        return {};
      });
      on(s3, PutObjectCommand, async (i: { Key: string; Bucket: string; ContentLength: number; Body: NodeJS.ReadableStream }) => {
        // Read the body as S3 would, and keep the size it received.
        let bytes = 0;
        for await (const chunk of i.Body as AsyncIterable<Buffer>) bytes += chunk.length;
        if (bytes !== i.ContentLength) throw new Error(`ContentLength ${i.ContentLength} but the body has ${bytes} bytes`);
        this.objects.set(`${i.Bucket}/${i.Key}`, bytes);
        return {};
      });
    }
    if (cw) on(cw, DescribeAlarmsCommand, (i: { AlarmNames: string[] }) => ({ MetricAlarms: this.alarmsFiring.filter((a) => i.AlarmNames.includes(a)).map((AlarmName) => ({ AlarmName, StateValue: 'ALARM' })) }));
  }
}

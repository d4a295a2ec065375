/**
 * The rules of one variant, each under its own code, and its rendering into CloudFormation:
 * shared by the endpoint config's constructor (all variants at once) and its add methods.
 */
import { Size, Token } from 'aws-cdk-lib';
import { CfnEndpointConfig } from 'aws-cdk-lib/aws-sagemaker';
import { AwsErrorCodes } from '../errors';
import { InstanceType } from '../instance-type';
import { Model } from '../model';
import { InstanceVariantProps, ProductionVariant, ServerlessVariantProps } from '../variant';
import { Checker } from './errors';

const SERVERLESS_MEMORY_MIB = [1024, 2048, 3072, 4096, 5120, 6144];

/** A variant as the config holds it: its facts and its rendering. */
export interface VariantRecord {
  readonly facts: ProductionVariant;
  readonly rendered: CfnEndpointConfig.ProductionVariantProperty;
  /** Where its props were given, for messages (`variants[1]`, `serverlessVariant`, `shadowVariant`). */
  readonly field: string;
}

/** Check one instance variant (`field` prefixes the messages) and render it. */
export function instanceVariant(checker: Checker, field: string, v: InstanceVariantProps, shadow: boolean): VariantRecord {
  const variantName = v.variantName ?? 'AllTraffic';
  const instanceType = v.instanceType ?? InstanceType.M5_LARGE;
  const count = v.initialInstanceCount ?? 1;
  const weight = v.initialVariantWeight ?? 1;
  const V = AwsErrorCodes.VARIANT;
  checker.name(`${field}.variantName`, variantName);
  checker.check(instanceType.isWellFormed, { field: `${field}.instanceType`, message: 'is not a SageMaker instance type', received: instanceType.toString(), allowed: 'ml.<family>.<size>, e.g. ml.m5.large' }, V);
  checker.intRange(`${field}.initialInstanceCount`, count, 1, 1000, '', V);
  checker.numberRange(`${field}.initialVariantWeight`, weight, 0, 1e9, '', V);
  const volumeGb = v.volumeSize?.toGibibytes();
  checker.intRange(`${field}.volumeSize`, volumeGb, 1, 512, 'GiB', V);
  if (volumeGb !== undefined) {
    checker.check(!instanceType.hasLocalNvme, { field: `${field}.volumeSize`, message: 'instance types with local NVMe storage take no ML storage volume', received: instanceType.toString(), allowed: 'no volumeSize, or an instance type without local storage' }, V);
  }
  const download = v.modelDataDownloadTimeout?.toSeconds();
  const startup = v.containerStartupHealthCheckTimeout?.toSeconds();
  checker.intRange(`${field}.modelDataDownloadTimeout`, download, 60, 3600, 's', V);
  checker.intRange(`${field}.containerStartupHealthCheckTimeout`, startup, 60, 3600, 's', V);
  const mis = v.managedInstanceScaling;
  if (mis) {
    const M = AwsErrorCodes.MANAGED_INSTANCE_SCALING;
    checker.check(v.model === undefined, { field: `${field}.managedInstanceScaling`, message: 'only variants hosting inference components use managed instance scaling', received: 'a variant with a model', allowed: 'no model on the variant (inference components)' }, M);
    const min = mis.minInstanceCount ?? 1;
    checker.intRange(`${field}.managedInstanceScaling.minInstanceCount`, min, 0, 1000, '', M);
    checker.intRange(`${field}.managedInstanceScaling.maxInstanceCount`, mis.maxInstanceCount, 1, 1000, '', M);
    checker.check(min <= count && count <= mis.maxInstanceCount, {
      field: `${field}.managedInstanceScaling`, message: 'needs min ≤ initial ≤ max', received: `min ${min}, initial ${count}, max ${mis.maxInstanceCount}`, allowed: 'minInstanceCount ≤ initialInstanceCount ≤ maxInstanceCount',
    }, M);
  }
  return {
    field,
    facts: { variantName, instanceType, initialInstanceCount: count, serverless: false, shadow, hostsInferenceComponents: v.model === undefined, model: v.model, managedInstanceScaling: mis },
    rendered: {
      variantName,
      modelName: v.model?.modelName,
      instanceType: instanceType.toString(),
      initialInstanceCount: count,
      initialVariantWeight: weight,
      volumeSizeInGb: volumeGb,
      modelDataDownloadTimeoutInSeconds: download,
      containerStartupHealthCheckTimeoutInSeconds: startup,
      routingConfig: v.routingStrategy ? { routingStrategy: v.routingStrategy.value } : undefined,
      managedInstanceScaling: mis ? { status: 'ENABLED', minInstanceCount: mis.minInstanceCount ?? 1, maxInstanceCount: mis.maxInstanceCount } : undefined,
    },
  };
}

/** Check the serverless variant and render it. */
export function serverlessVariant(checker: Checker, field: string, s: ServerlessVariantProps): VariantRecord {
  const variantName = s.variantName ?? 'AllTraffic';
  const memory = (s.memorySize ?? Size.mebibytes(2048)).toMebibytes();
  const maxConcurrency = s.maxConcurrency ?? 20;
  const S = AwsErrorCodes.SERVERLESS;
  checker.name(`${field}.variantName`, variantName);
  if (!Token.isUnresolved(memory)) {
    checker.check(SERVERLESS_MEMORY_MIB.includes(memory), { field: `${field}.memorySize`, message: 'is not a serverless memory size', received: `${memory} MiB`, allowed: SERVERLESS_MEMORY_MIB.map((m) => `${m} MiB`).join(' | ') }, S);
  }
  checker.intRange(`${field}.maxConcurrency`, maxConcurrency, 1, 200, '', S);
  checker.intRange(`${field}.provisionedConcurrency`, s.provisionedConcurrency, 1, 200, '', S);
  if (s.provisionedConcurrency !== undefined) {
    checker.check(s.provisionedConcurrency <= maxConcurrency, { field: `${field}.provisionedConcurrency`, message: 'exceeds maxConcurrency', received: s.provisionedConcurrency, allowed: `at most maxConcurrency (${maxConcurrency})` }, S);
  }
  if (s.model instanceof Model) {
    const U = AwsErrorCodes.SERVERLESS_UNSUPPORTED;
    checker.check(!s.model.multiModel, { field: `${field}.model`, message: 'serverless endpoints cannot host multi-model containers', received: 'multiModel: true', allowed: 'a single-model container' }, U);
    checker.check(s.model.connections === undefined, { field: `${field}.model`, message: 'serverless endpoints cannot attach to a VPC', received: 'a model with vpc', allowed: 'a model without vpc' }, U);
    checker.check(s.model.resource.enableNetworkIsolation !== true, { field: `${field}.model`, message: 'serverless endpoints do not support network isolation', received: 'networkIsolation: true', allowed: 'networkIsolation: false' }, U);
  }
  return {
    field,
    facts: { variantName, serverless: true, shadow: false, hostsInferenceComponents: false, model: s.model, maxConcurrency, provisionedConcurrency: s.provisionedConcurrency },
    rendered: { variantName, modelName: s.model.modelName, serverlessConfig: { memorySizeInMb: memory, maxConcurrency, provisionedConcurrency: s.provisionedConcurrency } },
  };
}

/** What the variants of one config may not be together (checked whenever the set changes). */
export function checkLayout(checker: Checker, records: readonly VariantRecord[], context: { readonly async: boolean; readonly capture: boolean }): void {
  const L = AwsErrorCodes.VARIANT_LAYOUT;
  const production = records.filter((r) => r.facts.shadow !== true);
  const instances = production.filter((r) => r.facts.serverless !== true);
  const serverless = production.filter((r) => r.facts.serverless === true);
  const shadows = records.filter((r) => r.facts.shadow === true);
  checker.check(!(instances.length > 0 && serverless.length > 0), {
    field: 'serverlessVariant', message: 'serverless and instance variants cannot share an endpoint', received: `${instances.length} instance variants + serverless`, allowed: 'either variants or serverlessVariant',
  }, L);
  checker.check(instances.length <= 10, { field: 'variants', message: 'too many production variants', received: instances.length, allowed: '1 to 10' }, L);
  checker.check(serverless.length <= 1, { field: 'serverlessVariant', message: 'an endpoint has one serverless variant', received: serverless.length, allowed: 'one' }, AwsErrorCodes.SERVERLESS_UNSUPPORTED);
  checker.check(shadows.length <= 1, { field: 'shadowVariant', message: 'an endpoint has at most one shadow variant', received: shadows.length, allowed: 'one' }, AwsErrorCodes.SHADOW_VARIANT);
  const hostsIc = instances.map((r) => r.facts.hostsInferenceComponents === true);
  checker.check(hostsIc.every((x) => x) || hostsIc.every((x) => !x), {
    field: 'variants', message: 'variants hosting inference components (no model) cannot be mixed with model variants', received: hostsIc.map((x) => (x ? 'components' : 'model')), allowed: 'all variants with a model, or none',
  }, L);
  const icMode = instances.length > 0 && hostsIc.every((x) => x);
  const names = records.map((r) => r.facts.variantName);
  const dup = names.filter((n, i) => names.indexOf(n) !== i);
  checker.check(dup.length === 0, { field: 'variants.variantName', message: 'variant names must be unique', received: dup, allowed: 'distinct names' }, L);
  if (serverless.length > 0) {
    const U = AwsErrorCodes.SERVERLESS_UNSUPPORTED;
    checker.check(!context.capture, { field: 'dataCapture', message: 'serverless endpoints do not support data capture', received: 'dataCapture', allowed: 'no dataCapture, or instance variants' }, U);
    checker.check(!context.async, { field: 'asyncInference', message: 'serverless endpoints cannot be asynchronous', received: 'asyncInference', allowed: 'no asyncInference, or instance variants' }, U);
  }
  for (const s of shadows) {
    checker.check(serverless.length === 0 && !context.async, { field: s.field, message: 'shadow variants need a real-time instance endpoint', received: serverless.length > 0 ? 'serverless' : 'asynchronous', allowed: 'instance variants without asyncInference' }, AwsErrorCodes.SHADOW_VARIANT);
    checker.check(s.facts.model !== undefined, { field: `${s.field}.model`, message: 'a shadow variant needs a model', received: undefined, allowed: 'an IModel' }, AwsErrorCodes.SHADOW_VARIANT);
  }
  if (icMode) {
    checker.check(!context.async && !context.capture && shadows.length === 0, {
      field: 'variants', message: 'variants hosting inference components support neither async, data capture nor shadow variants here', received: 'inference-component variants', allowed: 'variants with a model',
    }, L);
  }
}

/** What an endpoint config's props say about the config (the checks of its constructor). */
export interface ConfigPropsShape {
  readonly variants?: readonly InstanceVariantProps[];
  readonly serverlessVariant?: ServerlessVariantProps;
  readonly shadowVariant?: InstanceVariantProps;
  readonly asyncInference?: { readonly maxConcurrentInvocationsPerInstance?: number };
  readonly dataCapture?: { readonly samplingPercentage?: number; readonly captureInput?: boolean; readonly captureOutput?: boolean };
  readonly encryptionKey?: unknown;
}

/** Check every variant and setting of a config's props together; the records in render order. */
export function checkConfigProps(checker: Checker, props: ConfigPropsShape): VariantRecord[] {
  const records = [
    ...(props.variants ?? []).map((v, i) => instanceVariant(checker, `variants[${i}]`, v, false)),
    ...(props.serverlessVariant ? [serverlessVariant(checker, 'serverlessVariant', props.serverlessVariant)] : []),
    ...(props.shadowVariant ? [instanceVariant(checker, 'shadowVariant', props.shadowVariant, true)] : []),
  ];
  if ((props.variants ?? []).length > 1) {
    props.variants!.forEach((v, i) => checker.check(v.variantName !== undefined, { field: `variants[${i}].variantName`, message: 'is required when there are several variants', received: undefined, allowed: 'a unique variant name' }, AwsErrorCodes.VARIANT_LAYOUT));
  }
  checkLayout(checker, records, { async: props.asyncInference !== undefined, capture: props.dataCapture !== undefined });
  if (props.encryptionKey) checkKeyAllowed(checker, records.filter((r) => r.facts.instanceType?.hasLocalNvme).map((r) => r.facts.instanceType!.toString()));
  checker.intRange('asyncInference.maxConcurrentInvocationsPerInstance', props.asyncInference?.maxConcurrentInvocationsPerInstance, 1, 1000, '', AwsErrorCodes.ASYNC_INFERENCE);
  const capture = props.dataCapture;
  if (capture) {
    checker.intRange('dataCapture.samplingPercentage', capture.samplingPercentage ?? 20, 0, 100, '%', AwsErrorCodes.DATA_CAPTURE);
    checker.check((capture.captureInput ?? true) || (capture.captureOutput ?? true), { field: 'dataCapture', message: 'captures nothing', received: 'captureInput: false, captureOutput: false', allowed: 'captureInput or captureOutput' }, AwsErrorCodes.DATA_CAPTURE);
  }
  return records;
}

/** A customer key is refused for instance types with local NVMe storage. */
export function checkKeyAllowed(checker: Checker, nvme: readonly string[]): void {
  checker.check(nvme.length === 0, {
    field: 'encryptionKey', message: 'SageMaker rejects KmsKeyId for instance types with local NVMe storage (encrypted by the hardware)', received: nvme.join(', '), allowed: 'no encryptionKey, or instance types without local storage (e.g. ml.m5, ml.c6i, ml.g4dn is NVMe)',
  }, AwsErrorCodes.ENCRYPTION_KEY);
}

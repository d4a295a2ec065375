/** The import boundaries in eslint.config.mjs, checked on small virtual files. */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

const forbidden: [string, string][] = [
    ['lib/core/x.ts', "import { App } from 'aws-cdk-lib';"],
    ['lib/core/x.ts', "import { Construct } from 'constructs';"],
    ['lib/core/x.ts', "import { App } from 'cdktf';"],
    ['lib/core/x.ts', "import { X } from '../../constructs/aws';"],
    ['lib/runtime/x.ts', "import { X } from '../../constructs/gcp/rollout';"],
    ['lib/runtime/x.ts', "import { SageMakerClient } from '@aws-sdk/client-sagemaker';"],
    ['constructs/aws/x.ts', "import { App } from 'cdktf';"],
    ['constructs/aws/x.ts', "import { X } from '../gcp';"],
    ['constructs/gcp/x.ts', "import { App } from 'aws-cdk-lib';"],
    ['constructs/gcp/x.ts', "import { X } from '../onprem';"],
    ['constructs/gcp/x.ts', "import { VertexAiEndpoint } from '@cdktf/provider-google/lib/vertex-ai-endpoint';"],
    ['constructs/onprem/x.ts', "import { App } from 'cdktf';"],
    ['constructs/onprem/x.ts', "import { X } from '../gcp/y';"],
    ['constructs/cdktf/stack.ts', "import { App } from 'cdktf';"],
    ['constructs/cdktf/google.ts', "import { App } from 'cdktf';"],
    ['constructs/cdktf/google.ts', "import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1';"],
    ['constructs/cdktf/kubernetes.ts', "import { StorageBucket } from '@cdktf/provider-google/lib/storage-bucket';"],
    ['constructs/cdktf/binding.ts', "import { StorageBucket } from '@cdktf/provider-google/lib/storage-bucket';"],
    ['constructs/azure/x.ts', "import { App } from 'cdktf';"],
    ['constructs/azure/x.ts', "import { X } from '../gcp';"],
    ['constructs/azure/x.ts', "import { X } from '../onprem/y';"],
    ['constructs/azure/x.ts', "import { App } from 'aws-cdk-lib';"],
    ['constructs/gcp/x.ts', "import { X } from '../azure';"],
    ['constructs/onprem/x.ts', "import { X } from '../azure/rollout';"],
    ['lib/runtime/x.ts', "import { DefaultAzureCredential } from '@azure/identity';"],
    ['constructs/edge/x.ts', "import { ModelData } from '../aws';"],
    ['constructs/edge/x.ts', "import { ModelData } from '../aws/model-data';"],
    ['constructs/edge/x.ts', "import { App } from 'cdktf';"],
    ['constructs/edge/x.ts', "import { X } from '../gcp';"],
    ['constructs/aws/x.ts', "import { EdgeModel } from '../edge';"],
    ['lib/optimize/x.ts', "import { App } from 'aws-cdk-lib';"],
    ['lib/optimize/x.ts', "import { EdgeModel } from '../../constructs/edge';"],
    ['bin/commands/x.ts', "import { GCP_ERRORS } from '../../constructs/gcp/private/errors';"],
    ['bin/commands/x.ts', "import { Checker } from '../../constructs/onprem/private';"],
];
const allowed: [string, string][] = [
    ['lib/runtime/x.ts', "import { parseManifest } from '../core/manifest';"],
    ['constructs/gcp/x.ts', "import { App } from '../cdktf/binding';"],
    ['constructs/onprem/x.ts', "import { App } from '../cdktf/binding';"],
    ['constructs/azure/x.ts', "import { App } from '../cdktf/binding';"],
    ['constructs/aws/x.ts', "import { App } from 'aws-cdk-lib';"],
    ['constructs/edge/x.ts', "import { App } from 'aws-cdk-lib';"],
    ['constructs/edge/x.ts', "import { loadModelPackageSync } from '../../lib/core/model-package';"],
    ['constructs/cdktf/binding.ts', "import { App } from 'cdktf';"],
    ['constructs/cdktf/google.ts', "import { StorageBucket } from '@cdktf/provider-google/lib/storage-bucket';"],
    ['constructs/cdktf/kubernetes.ts', "import { Release } from '@cdktf/provider-helm/lib/release';"],
    ['constructs/gcp/x.ts', "import { StorageBucket } from '../cdktf/google';"],
    ['bin/commands/x.ts', "import { GcpErrorCodes } from '../../constructs/gcp/errors';"],
];

// One ESLint process for every case (Jest's VM cannot load the ESM config).
const cases = [...forbidden, ...allowed].map(([file, code]) => [file, `${code}\nexport const used = 1;\n`]);
const results = JSON.parse(execFileSync(process.execPath, [path.join(ROOT, 'test/support/lint-probe.mjs')], { input: JSON.stringify(cases), cwd: ROOT }).toString()) as string[][];

describe('import boundaries (eslint.config.mjs)', () => {
  test.each(forbidden.map((c, i) => [...c, i] as const))('%s may not: %s', (_file, _code, i) => {
    expect(results[i].length).toBeGreaterThan(0);
  });
  test.each(allowed.map((c, i) => [...c, forbidden.length + i] as const))('%s may: %s', (_file, _code, i) => {
    expect(results[i]).toEqual([]);
  });
});

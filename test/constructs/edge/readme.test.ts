/**
 * The snippets of constructs/edge/README.md: each ```ts block is checked to appear in the README
 * verbatim, and the same code is compiled and synthesized here (keep them in sync).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Size } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { EdgeModel, EdgeModelComponent, EdgeNodeRuntime, EdgePlatform, FleetDeployment } from '../../../constructs/edge';
import { BREAST_CANCER, edgeStack, ROOT } from './helpers';

const README = fs.readFileSync(path.join(ROOT, 'constructs/edge/README.md'), 'utf8');
const blocks = [...README.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);

test('README snippets synthesize', () => {
  expect(blocks).toHaveLength(5);
  // 1. The simplest example, with the package path pointed at the example model.
  {
    const { stack, lockFile } = edgeStack('Clinics');
    const component = new EdgeModelComponent(stack, 'BreastCancer', {
      model: EdgeModel.fromPackage(BREAST_CANCER), // servingstack.json + model.onnx
      versionLockFile: lockFile,
    });
    new FleetDeployment(stack, 'Fleet', { component, thingGroupName: 'clinic-devices', canary: {} });
    expect(blocks[0]).toContain("new FleetDeployment(stack, 'Fleet', { component, thingGroupName: 'clinic-devices', canary: {} });");
    expect(blocks[0]).toContain("model: EdgeModel.fromPackage('models/breast-cancer'),");
  }
  // 2. Shipping Node: the option compiles (the binary path is the reader's).
  const nodeRuntime = EdgeNodeRuntime.fromBinaries([{ platform: EdgePlatform.LINUX_AARCH64, file: 'vendor/node-linux-arm64/bin/node' }]);
  expect(nodeRuntime.binaryFor(EdgePlatform.LINUX_AARCH64)).toBe('vendor/node-linux-arm64/bin/node');
  expect(blocks[1]).toContain("{ platform: EdgePlatform.LINUX_AARCH64, file: 'vendor/node-linux-arm64/bin/node' }");
  // 3 and 4. A constrained device, and a held fleet with a canary.
  {
    const { stack, lockFile } = edgeStack('Small');
    const component = new EdgeModelComponent(stack, 'Model', {
      model: EdgeModel.fromPackage(BREAST_CANCER),
      componentVersion: '1.1.0',
      device: { memory: Size.mebibytes(384), cpus: 2, workers: 1, storage: Size.mebibytes(256) },
      platforms: [EdgePlatform.LINUX_AARCH64],
      versionLockFile: lockFile,
    });
    expect(blocks[2]).toContain("device: { memory: Size.mebibytes(384), cpus: 2, workers: 1, storage: Size.mebibytes(256) },");
    new FleetDeployment(stack, 'Fleet', {
      component, // componentVersion 1.1.0
      canary: { thingGroupName: 'clinic-canary', holdFleetAtVersion: '1.0.0' },
      rollout: { baseRatePerMinute: 2, incrementFactor: 1.5, rateIncreaseAfterSucceededDevices: 20, maximumPerMinute: 50 },
      abort: { failurePercentage: 5, minExecutedDevices: 20 },
    });
    for (const l of ["canary: { thingGroupName: 'clinic-canary', holdFleetAtVersion: '1.0.0' },", 'abort: { failurePercentage: 5, minExecutedDevices: 20 },']) expect(blocks[3]).toContain(l);
  }
  // 5. Fleet monitoring.
  {
    const { stack, lockFile } = edgeStack('Monitored');
    const component = new EdgeModelComponent(stack, 'Model', { model: EdgeModel.fromPackage(BREAST_CANCER), platforms: [EdgePlatform.LINUX_X86_64], versionLockFile: lockFile });
    const fleet = new FleetDeployment(stack, 'Monitored', {
      component,
      thingGroupName: 'clinic-devices',
      monitoring: { captureSamplePercent: 5, fleetThresholds: { maxDriftedDevicesPercent: 10 } },
    });
    expect(fleet.monitoring).toBeDefined();
    expect(fleet.captureBucket).toBeDefined();
    expect(blocks[4]).toContain('monitoring: { captureSamplePercent: 5, fleetThresholds: { maxDriftedDevicesPercent: 10 } },');
  }
  // The README's output listing is the real resource list of the first example.
  {
    const { stack, lockFile } = edgeStack('Clinics');
    const component = new EdgeModelComponent(stack, 'BreastCancer', { model: EdgeModel.fromPackage(BREAST_CANCER), versionLockFile: lockFile });
    new FleetDeployment(stack, 'Fleet', { component, thingGroupName: 'clinic-devices', canary: {} });
    const listed = [...README.matchAll(/^(AWS::\S+)\s+(\S+)$/gm)].map((m) => `${m[1]} ${m[2]}`);
    const resources = Object.entries(Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string }>).map(([id, r]) => `${r.Type} ${id}`);
    expect(listed).toEqual(resources);
  }
});

/**
 * An edge fleet for the breast-cancer package on AWS IoT Greengrass v2: the ServingStack runtime
 * on a local port of every clinic device (linux x86_64 and aarch64, 512 MiB, 2 CPUs, one worker),
 * rolled out to a canary thing group first and then to the fleet at an exponential ramp, with
 * fleet monitoring (devices reporting, inference rate, latency, drift verdicts per device group,
 * alarms) and 5 % of requests captured to S3 for offline drift reports.
 */
import * as path from 'node:path';
import { CfnOutput, Size, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { EdgeModel, EdgeModelComponent, EdgePlatform, FleetDeployment } from '../../constructs/edge';

export const EDGE_EXAMPLE_PACKAGE = path.join(__dirname, '..', 'models', 'breast-cancer');
/** The example's own version lock file (component name → version → content fingerprint). */
export const EDGE_EXAMPLE_LOCK_FILE = path.join(__dirname, 'servingstack-edge.lock.json');

export interface EdgeFleetStackProps extends StackProps {
  /**
   * Model package directory.
   * @default examples/models/breast-cancer
   */
  readonly modelPackage?: string;
  /**
   * Version lock file of the component.
   * @default examples/aws-edge/servingstack-edge.lock.json
   */
  readonly versionLockFile?: string;
}

export class EdgeFleetStack extends Stack {
  public readonly component: EdgeModelComponent;
  public readonly fleet: FleetDeployment;

  constructor(scope: Construct, id: string, props: EdgeFleetStackProps = {}) {
    super(scope, id, props);
    this.component = new EdgeModelComponent(this, 'BreastCancer', {
      model: EdgeModel.fromPackage(props.modelPackage ?? EDGE_EXAMPLE_PACKAGE),
      platforms: [EdgePlatform.LINUX_X86_64, EdgePlatform.LINUX_AARCH64],
      device: { memory: Size.mebibytes(512), cpus: 2, workers: 1 },
      versionLockFile: props.versionLockFile ?? EDGE_EXAMPLE_LOCK_FILE,
    });
    this.fleet = new FleetDeployment(this, 'Clinics', {
      component: this.component,
      thingGroupName: 'clinic-devices',
      canary: {},
      rollout: { baseRatePerMinute: 5, incrementFactor: 2, rateIncreaseAfterSucceededDevices: 10, maximumPerMinute: 50 },
      abort: { failurePercentage: 5, minExecutedDevices: 10 },
      monitoring: {
        captureSamplePercent: 5,
        fleetThresholds: { maxDriftedDevicesPercent: 10, minReportingDevices: 1 },
        thresholds: { maxP99LatencyMillis: 50 },
      },
    });
    // What the Greengrass installer needs to register a device (docs/edge.md).
    new CfnOutput(this, 'TokenExchangeRoleAlias', { value: this.fleet.roleAlias.ref, description: '--tes-role-alias-name' });
    new CfnOutput(this, 'TokenExchangeRoleName', { value: this.fleet.tokenExchangeRole.roleName, description: '--tes-role-name' });
    new CfnOutput(this, 'DevicePolicyName', { value: this.fleet.devicePolicy.ref, description: '--thing-policy-name' });
    new CfnOutput(this, 'CanaryThingGroup', { value: 'clinic-devices-canary', description: '--thing-group-name for canary devices' });
  }
}

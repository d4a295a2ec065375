import { Duration, Fn, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import { CfnDeployment } from 'aws-cdk-lib/aws-greengrassv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CfnPolicy, CfnRoleAlias, CfnThingGroup } from 'aws-cdk-lib/aws-iot';
import { Construct } from 'constructs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { ThresholdGroup, Thresholds } from '../../lib/core/contract/thresholds';
import type { EdgeModelComponent } from './edge-model-component';
import { FleetMonitoring, MonitoredGroup } from './fleet-monitoring';
import { AbortCriteria, CanaryOptions, DeploymentFailureType, FleetMonitoringOptions, RolloutRate } from './fleet-options';
import { CaptureBucket } from './private/capture-bucket';
import { EDGE_ERRORS, EdgeChecker } from './private/errors';
import { acknowledgeWildcardResource } from './private/nag';
import { EdgeTelemetryComponent } from './telemetry-component';

export interface FleetDeploymentProps {
  readonly component: EdgeModelComponent;
  /**
   * Name of the fleet thing group to create.
   * @default - derived from the construct path
   */
  readonly thingGroupName?: string;
  /**
   * Deploy to an existing thing group instead of creating one.
   * @default - a new thing group
   */
  readonly thingGroupArn?: string;
  /** @default - `<component name>-fleet` */
  readonly deploymentName?: string;
  /** @default - 5/min, ×2 every 10 successes, at most 100/min */
  readonly rollout?: RolloutRate;
  /** @default - cancel at 10 % failures (any type) after 10 devices */
  readonly abort?: AbortCriteria;
  /**
   * How long a device may take to apply the deployment before it counts as timed out.
   * @default Duration.minutes(30)
   */
  readonly deviceTimeout?: Duration;
  /**
   * Notify running components before updating and wait up to `componentUpdateTimeout` for them
   * to be ready (the runtime drains in-flight requests when stopped).
   * @default true
   */
  readonly notifyComponents?: boolean;
  /** @default Duration.seconds(60) */
  readonly componentUpdateTimeout?: Duration;
  /** @default Duration.seconds(30) */
  readonly configurationValidationTimeout?: Duration;
  /** @default - no canary */
  readonly canary?: CanaryOptions;
  /**
   * Token exchange role of the devices (their AWS credentials). `s3:GetObject` on the component's
   * artifacts is added to it.
   * @default - a new role with only that permission
   */
  readonly tokenExchangeRole?: iam.IRole;
  /**
   * Name of the IoT role alias for the token exchange role (the nucleus' `iotRoleAlias`).
   * @default - derived from the construct path
   */
  readonly roleAliasName?: string;
  /**
   * POSIX user (`user:group`) the component runs as.
   * @default - the nucleus' default component user (ggc_user:ggc_group)
   */
  readonly posixUser?: string;
  /**
   * Watch the fleet from the cloud: a telemetry component deployed with the model, metrics,
   * dashboard and alarms per device group, and optional capture upload.
   * @default - no monitoring
   */
  readonly monitoring?: FleetMonitoringOptions;
  /**
   * Removal policy of the thing groups this construct creates (they hold device membership).
   * @default RemovalPolicy.RETAIN
   */
  readonly thingGroupRemovalPolicy?: RemovalPolicy;
}

const THING_GROUP = /^[a-zA-Z0-9:_-]{1,128}$/;
const ROLE_ALIAS = /^[\w=,@-]{1,128}$/;
const VERSION = /^(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})$/;

function decimals(x: number): number {
  const s = String(x);
  return s.includes('.') ? s.split('.')[1]!.length : 0;
}

function friendly(path: string, max: number): string {
  return path.replace(/[^a-zA-Z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(-max);
}

/**
 * Roll an {@link EdgeModelComponent} out to a fleet of Greengrass core devices: a thing group
 * target (created, or existing), exponential rollout, abort on a failure share after a minimum
 * number of devices, device timeout, component update policy, rollback on failure; the devices'
 * token exchange role (only `s3:GetObject` on the artifacts), its IoT role alias and the core
 * device IoT policy; optionally a canary thing group deployed first.
 */
export class FleetDeployment extends Construct {
  public readonly deployment: CfnDeployment;
  public readonly canaryDeployment?: CfnDeployment;
  public readonly thingGroupArn: string;
  public readonly canaryThingGroupArn?: string;
  public readonly tokenExchangeRole: iam.IRole;
  public readonly roleAlias: CfnRoleAlias;
  /** The IoT policy to attach to the core devices' certificates. */
  public readonly devicePolicy: CfnPolicy;
  /** The telemetry component, when monitoring is on. */
  public readonly telemetryComponent?: EdgeTelemetryComponent;
  /** Rules, dashboard and alarms, when monitoring is on. */
  public readonly monitoring?: FleetMonitoring;
  /** Where capture files go, when captured. */
  public readonly captureBucket?: s3.IBucket;

  constructor(scope: Construct, id: string, props: FleetDeploymentProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const c = new EdgeChecker(this, 'FleetDeployment');
    const D = EDGE_ERRORS.DEPLOYMENT;
    const component = props.component;
    const r = props.rollout ?? {};
    const rollout = {
      baseRatePerMinute: r.baseRatePerMinute ?? 5,
      incrementFactor: r.incrementFactor ?? 2,
      succeeded: r.rateIncreaseAfterSucceededDevices ?? 10,
      maximumPerMinute: r.maximumPerMinute ?? 100,
    };
    const a = props.abort ?? {};
    const abort = { percentage: a.failurePercentage ?? 10, min: a.minExecutedDevices ?? 10, type: (a.failureType ?? DeploymentFailureType.ALL).value };
    const timeoutMinutes = (props.deviceTimeout ?? Duration.minutes(30)).toMinutes({ integral: false });
    const updateSeconds = (props.componentUpdateTimeout ?? Duration.seconds(60)).toSeconds({ integral: false });
    const validationSeconds = (props.configurationValidationTimeout ?? Duration.seconds(30)).toSeconds({ integral: false });

    c.intRange(D, 'rollout.baseRatePerMinute', rollout.baseRatePerMinute, 1, 1000);
    if (!Token.isUnresolved(rollout.incrementFactor)) {
      c.check(rollout.incrementFactor >= 1.1 && rollout.incrementFactor <= 5 && decimals(rollout.incrementFactor) <= 1, D, {
        field: 'rollout.incrementFactor',
        message: 'is not an exponential factor Greengrass accepts',
        received: rollout.incrementFactor,
        allowed: 'a number from 1.1 to 5 with at most one decimal (1 would not ramp)',
      });
    }
    c.intRange(D, 'rollout.rateIncreaseAfterSucceededDevices', rollout.succeeded, 1, 2 ** 31 - 1);
    c.intRange(D, 'rollout.maximumPerMinute', rollout.maximumPerMinute, 1, 1000);
    c.check(rollout.maximumPerMinute >= rollout.baseRatePerMinute, D, { field: 'rollout.maximumPerMinute', message: 'is below the base rate', received: rollout.maximumPerMinute, allowed: `≥ rollout.baseRatePerMinute (${rollout.baseRatePerMinute})` });
    if (!Token.isUnresolved(abort.percentage)) {
      c.check(abort.percentage >= 0 && abort.percentage <= 100 && decimals(abort.percentage) <= 2, D, { field: 'abort.failurePercentage', message: 'is out of range', received: abort.percentage, allowed: 'a percentage from 0 to 100 with at most two decimals' });
    }
    c.intRange(D, 'abort.minExecutedDevices', abort.min, 1, 2 ** 31 - 1);
    c.check(Number.isInteger(timeoutMinutes) && timeoutMinutes >= 1 && timeoutMinutes <= 10080, D, { field: 'deviceTimeout', message: 'is out of range', received: `${timeoutMinutes} min`, allowed: 'whole minutes from 1 to 10080 (7 days)' });
    c.check(Number.isInteger(updateSeconds) && updateSeconds >= 1 && updateSeconds <= 86400, D, { field: 'componentUpdateTimeout', message: 'is out of range', received: `${updateSeconds} s`, allowed: 'whole seconds from 1 to 86400' });
    c.check(Number.isInteger(validationSeconds) && validationSeconds >= 1 && validationSeconds <= 86400, D, { field: 'configurationValidationTimeout', message: 'is out of range', received: `${validationSeconds} s`, allowed: 'whole seconds from 1 to 86400' });

    const groupName = props.thingGroupName ?? friendly(this.node.path, 100);
    if (!props.thingGroupArn) c.check(THING_GROUP.test(groupName), D, { field: 'thingGroupName', message: 'is not a thing group name', received: groupName, allowed: 'letters, digits, : _ -, 1–128 characters' });
    const canaryName = props.canary?.thingGroupName ?? `${groupName.slice(0, 121)}-canary`;
    if (props.canary && !props.canary.thingGroupArn) c.check(THING_GROUP.test(canaryName), D, { field: 'canary.thingGroupName', message: 'is not a thing group name', received: canaryName, allowed: 'letters, digits, : _ -, 1–128 characters' });
    const hold = props.canary?.holdFleetAtVersion;
    if (hold !== undefined) {
      c.check(VERSION.test(hold), D, { field: 'canary.holdFleetAtVersion', message: 'is not a component version', received: hold, allowed: 'major.minor.patch of an existing version of the component' });
      c.check(hold !== component.componentVersion, D, { field: 'canary.holdFleetAtVersion', message: 'is the version the canary gets: nothing is held back', received: hold, allowed: `an earlier version than ${component.componentVersion}` });
    }
    const aliasName = props.roleAliasName ?? friendly(`${this.node.path}-TokenExchange`, 128);
    c.check(ROLE_ALIAS.test(aliasName), D, { field: 'roleAliasName', message: 'is not a role alias name', received: aliasName, allowed: 'letters, digits, _ = , @ -, 1–128 characters' });
    const mon = props.monitoring;
    const publishSeconds = (mon?.publishInterval ?? Duration.seconds(60)).toSeconds({ integral: false });
    const scrapeSeconds = (mon?.scrapeInterval ?? Duration.seconds(10)).toSeconds({ integral: false });
    const bufferIntervals = mon?.bufferIntervals ?? 1440;
    const capturePercent = mon?.captureSamplePercent ?? 0;
    if (mon) {
      const MON = EDGE_ERRORS.MONITORING;
      for (const [group, values, prefix] of [[ThresholdGroup.SERVING, mon.thresholds, 'monitoring.thresholds'], [ThresholdGroup.MODEL_QUALITY, mon.modelQualityThresholds, 'monitoring.modelQualityThresholds'], [ThresholdGroup.FLEET, mon.fleetThresholds, 'monitoring.fleetThresholds']] as const) {
        for (const issue of Thresholds.validate(group, values, prefix, (v) => Token.isUnresolved(v))) c.add(MON, issue);
      }
      c.check(Number.isInteger(publishSeconds) && publishSeconds >= 10 && 300 % publishSeconds === 0, MON, {
        field: 'monitoring.publishInterval', message: 'does not divide the 5-minute periods the fleet metrics count devices in', received: `${publishSeconds} s`, allowed: 'whole seconds from 10 that divide 300: 10, 12, 15, 20, 25, 30, 50, 60, 75, 100, 150 or 300',
      });
      c.check(Number.isInteger(scrapeSeconds) && scrapeSeconds >= 1 && scrapeSeconds <= publishSeconds, MON, { field: 'monitoring.scrapeInterval', message: 'is out of range', received: `${scrapeSeconds} s`, allowed: `whole seconds from 1 to the publish interval (${publishSeconds} s)` });
      c.intRange(MON, 'monitoring.bufferIntervals', bufferIntervals, 2, 100_000);
      if (!Token.isUnresolved(capturePercent)) c.check(capturePercent >= 0 && capturePercent <= 100, MON, { field: 'monitoring.captureSamplePercent', message: 'is out of range', received: capturePercent, allowed: 'a percentage from 0 to 100' });
      c.check(!(mon.captureBucket && capturePercent === 0), MON, { field: 'monitoring.captureBucket', message: 'is given but nothing is captured', received: 'a bucket', allowed: 'captureSamplePercent above 0, or no captureBucket' });
    }
    c.throwIfAny();

    const removal = props.thingGroupRemovalPolicy ?? RemovalPolicy.RETAIN;
    const group = (cid: string, name: string): string => {
      const g = new CfnThingGroup(this, cid, { thingGroupName: name, thingGroupProperties: { thingGroupDescription: `Greengrass core devices running ${component.componentName}` } });
      g.applyRemovalPolicy(removal);
      return g.attrArn;
    };
    this.thingGroupArn = props.thingGroupArn ?? group('ThingGroup', groupName);
    if (props.canary) this.canaryThingGroupArn = props.canary.thingGroupArn ?? group('CanaryThingGroup', canaryName);
    // A group's name: as given, or the last part of an existing group's ARN (arn:…:thinggroup/<name>).
    const nameOf = (arn: string | undefined, name: string): string => (arn ? Fn.select(1, Fn.split('/', arn)) : name);
    const groups: MonitoredGroup[] = [
      { name: nameOf(props.thingGroupArn, groupName), role: 'fleet' },
      ...(props.canary ? [{ name: nameOf(props.canary.thingGroupArn, canaryName), role: 'canary' }] : []),
    ];

    // Device credentials: a role the IoT credentials provider assumes for certificates through the alias.
    if (props.tokenExchangeRole) {
      this.tokenExchangeRole = props.tokenExchangeRole;
    } else {
      const role = new iam.Role(this, 'TokenExchangeRole', {
        assumedBy: new iam.ServicePrincipal('credentials.iot.amazonaws.com'),
        description: `Greengrass token exchange role of the devices running ${component.componentName}: downloads its artifacts, nothing else`,
      });
      this.tokenExchangeRole = role;
      const why = 'the grant-generated policy of this one role names each artifact object; a managed policy would be reusable by other principals';
      Validations.of(role).acknowledge({ id: 'NIST.800.53.R5-IAMNoInlinePolicy', reason: why });
      Validations.of(role).acknowledge({ id: 'HIPAA.Security-IAMNoInlinePolicy', reason: why });
    }
    component.grantArtifactRead(this.tokenExchangeRole);
    const topicPrefix = `servingstack/edge/${component.modelName}/telemetry`;
    if (mon) {
      this.telemetryComponent = new EdgeTelemetryComponent(this, 'Telemetry', {
        modelComponent: component,
        topicPrefix,
        scrapeSeconds,
        publishSeconds,
        bufferIntervals,
        captureBucketName: capturePercent > 0 ? (this.captureBucket = mon.captureBucket ?? new CaptureBucket(this, 'Captures').bucket).bucketName : undefined,
      });
      this.telemetryComponent.grantArtifactRead(this.tokenExchangeRole);
      // Devices upload their capture files under captures/<model>/: PutObject there, nothing else.
      if (this.captureBucket) {
        const captures = this.captureBucket.arnForObjects(`captures/${component.modelName}/*`);
        iam.Grant.addToPrincipal({ grantee: this.tokenExchangeRole, actions: ['s3:PutObject'], resourceArns: [captures] });
        if (!props.tokenExchangeRole) acknowledgeWildcardResource(this.tokenExchangeRole, captures, 'devices write capture files with generated names (device, time, sequence) under this model\'s capture prefix; PutObject only, nothing else in the bucket');
      }
      this.monitoring = new FleetMonitoring(this, 'Monitoring', {
        modelName: component.modelName,
        componentName: component.componentName,
        groups,
        topicPrefix,
        publishSeconds,
        serving: Thresholds.resolveServing(mon.thresholds),
        modelQuality: Thresholds.resolveModelQuality(mon.modelQualityThresholds),
        fleet: Thresholds.resolveFleet(mon.fleetThresholds),
        alarmTopic: mon.alarmTopic,
        dashboardName: mon.dashboardName,
      });
    }
    this.roleAlias = new CfnRoleAlias(this, 'RoleAlias', { roleAlias: aliasName, roleArn: this.tokenExchangeRole.roleArn, credentialDurationSeconds: 3600 });

    const arn = (resource: string, name: string): string => stack.formatArn({ service: 'iot', resource, resourceName: name });
    const thing = '${iot:Connection.Thing.ThingName}';
    this.devicePolicy = new CfnPolicy(this, 'DevicePolicy', {
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 'iot:Connect', Resource: arn('client', thing) },
          {
            Effect: 'Allow',
            Action: ['iot:Publish', 'iot:Receive'],
            Resource: [`$aws/things/${thing}/greengrass/health/json`, `$aws/things/${thing}/greengrassv2/health/json`, `$aws/things/${thing}/jobs/*`, `$aws/things/${thing}/shadow/*`].map((t) => arn('topic', t)),
          },
          { Effect: 'Allow', Action: 'iot:Subscribe', Resource: [`$aws/things/${thing}/jobs/*`, `$aws/things/${thing}/shadow/*`].map((t) => arn('topicfilter', t)) },
          { Effect: 'Allow', Action: ['iot:GetThingShadow', 'iot:UpdateThingShadow', 'iot:DeleteThingShadow'], Resource: arn('thing', thing) },
          { Effect: 'Allow', Action: 'iot:AssumeRoleWithCertificate', Resource: this.roleAlias.attrRoleAliasArn },
          // Telemetry: each device publishes on its own topic only.
          ...(mon ? [{ Effect: 'Allow', Action: 'iot:Publish', Resource: arn('topic', `${topicPrefix}/${thing}`) }] : []),
          // Data-plane calls of the nucleus; they take no narrower resource than the account.
          { Effect: 'Allow', Action: ['greengrass:ListThingGroupsForCoreDevice', 'greengrass:GetDeploymentConfiguration', 'greengrass:ResolveComponentCandidates', 'greengrass:GetComponentVersionArtifact'], Resource: '*' },
        ],
      },
    });

    const runAs = props.posixUser ? { posixUser: props.posixUser } : {};
    const components = (version: string, deviceGroup: string): Record<string, CfnDeployment.ComponentDeploymentSpecificationProperty> => ({
      [component.componentName]: {
        componentVersion: version,
        // Capture on when monitoring asks for it (merged over the component's default, 0).
        ...(mon && capturePercent > 0 ? { configurationUpdate: { merge: JSON.stringify({ CapturePercent: String(capturePercent) }) } } : {}),
        runWith: { ...runAs, systemResourceLimits: { memory: component.memoryMiB * 1024, cpus: component.cpus } },
      },
      ...(this.telemetryComponent
        ? {
            [this.telemetryComponent.componentName]: {
              componentVersion: this.telemetryComponent.componentVersion,
              configurationUpdate: { merge: Stack.of(this).toJsonString({ DeviceGroup: deviceGroup }) },
              // Same user as the runtime: it reads the runtime's capture folder. 64 MiB heap, a tenth of a core.
              runWith: { ...runAs, systemResourceLimits: { memory: 128 * 1024, cpus: 0.1 } },
            },
          }
        : {}),
    });
    const policies: CfnDeployment.DeploymentPoliciesProperty = {
      failureHandlingPolicy: 'ROLLBACK',
      componentUpdatePolicy: { action: props.notifyComponents ?? true ? 'NOTIFY_COMPONENTS' : 'SKIP_NOTIFY_COMPONENTS', timeoutInSeconds: updateSeconds },
      configurationValidationPolicy: { timeoutInSeconds: validationSeconds },
    };
    if (props.canary) {
      this.canaryDeployment = new CfnDeployment(this, 'CanaryDeployment', {
        targetArn: this.canaryThingGroupArn!,
        deploymentName: `${props.deploymentName ?? `${component.componentName}-fleet`}-canary`,
        components: components(component.componentVersion, groups[1]!.name),
        deploymentPolicies: policies,
        // All canary devices at once; any failure cancels the rest.
        iotJobConfiguration: {
          abortConfig: { criteriaList: [{ failureType: 'ALL', action: 'CANCEL', thresholdPercentage: 1, minNumberOfExecutedThings: 1 }] },
          timeoutConfig: { inProgressTimeoutInMinutes: timeoutMinutes },
        },
      });
    }
    this.deployment = new CfnDeployment(this, 'Resource', {
      targetArn: this.thingGroupArn,
      deploymentName: props.deploymentName ?? `${component.componentName}-fleet`,
      components: components(hold ?? component.componentVersion, groups[0]!.name),
      deploymentPolicies: policies,
      iotJobConfiguration: {
        jobExecutionsRolloutConfig: {
          exponentialRate: {
            baseRatePerMinute: rollout.baseRatePerMinute,
            incrementFactor: rollout.incrementFactor,
            // Typed `any` in aws-cdk-lib, so passed through as is: CloudFormation's own (PascalCase) key.
            rateIncreaseCriteria: { NumberOfSucceededThings: rollout.succeeded },
          },
          maximumPerMinute: rollout.maximumPerMinute,
        },
        abortConfig: { criteriaList: [{ failureType: abort.type, action: 'CANCEL', thresholdPercentage: abort.percentage, minNumberOfExecutedThings: abort.min }] },
        timeoutConfig: { inProgressTimeoutInMinutes: timeoutMinutes },
      },
    });
    // Component versions must exist before a deployment names them; the canary goes first.
    this.deployment.node.addDependency(component);
    if (this.telemetryComponent) this.deployment.node.addDependency(this.telemetryComponent);
    if (this.canaryDeployment) {
      this.canaryDeployment.node.addDependency(component);
      if (this.telemetryComponent) this.canaryDeployment.node.addDependency(this.telemetryComponent);
      this.deployment.node.addDependency(this.canaryDeployment);
    }
  }
}

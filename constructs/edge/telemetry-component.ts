/**
 * The telemetry component that runs beside an {@link EdgeModelComponent} on each device: the
 * ServingStack edge agent (lib/edge) scrapes the runtime's metrics on loopback, keeps mergeable
 * interval counts while the device is offline (bounded), publishes one message per interval to
 * AWS IoT Core through Greengrass IPC (`aws.greengrass.ipc.mqttproxy`, `PublishToIoTCore` on its
 * telemetry topic only), and ships the runtime's rotated capture files to S3.
 *
 * A component of its own (not a second process of the model component): Greengrass supervises
 * and restarts it, it carries its own IPC authorization, and a fleet without monitoring does not
 * download the device SDK. It depends (soft) on the model component, whose configuration (`Port`),
 * work folder (capture files) and Node binary it reads through cross-component recipe variables.
 */
import { createHash } from 'node:crypto';
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { CfnComponentVersion } from 'aws-cdk-lib/aws-greengrassv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import type { AgentVariable } from '../../lib/edge/config';
import type { EdgeModelComponent } from './edge-model-component';
import { EDGE_ERRORS, EdgeChecker } from './private/errors';
import { CAPTURE_FOLDER, RECIPE_FORMAT_VERSION } from './recipe';
import { CRT_LIBRARY, telemetryBundle } from './telemetry-bundle';
import { checkVersionLock } from './version-lock';

/** The IPC service and operation the agent uses, and nothing else. */
export const MQTT_PROXY_SERVICE = 'aws.greengrass.ipc.mqttproxy';
export const PUBLISH_TO_IOT_CORE = 'aws.greengrass#PublishToIoTCore';

export interface EdgeTelemetryComponentProps {
  readonly modelComponent: EdgeModelComponent;
  /** MQTT topic prefix; each device publishes on `<prefix>/<thing name>`. */
  readonly topicPrefix: string;
  readonly scrapeSeconds: number;
  readonly publishSeconds: number;
  readonly bufferIntervals: number;
  /** Where capture files go. @default - not shipped */
  readonly captureBucketName?: string;
  /** @default 'captures/<model>' */
  readonly capturePrefix?: string;
}

const q = (s: string): string => `'${s.replace(/'/g, `'"'"'`)}'`;

/** A Greengrass component running the edge telemetry agent (see the module comment). */
export class EdgeTelemetryComponent extends Construct {
  public readonly componentName: string;
  public readonly componentVersion: string;
  public readonly componentArn: string;
  public readonly recipe: Record<string, unknown>;
  public readonly fingerprint: string;
  public readonly resource: CfnComponentVersion;
  private readonly assets: s3assets.Asset[] = [];

  constructor(scope: Construct, id: string, props: EdgeTelemetryComponentProps) {
    super(scope, id);
    const model = props.modelComponent;
    this.componentName = `${model.componentName}.telemetry`;
    this.componentVersion = model.componentVersion;
    const c = new EdgeChecker(this, 'EdgeTelemetryComponent');
    c.check(this.componentName.length <= 128, EDGE_ERRORS.MONITORING, { field: 'componentName', message: 'is too long for the telemetry component name (<component>.telemetry)', received: this.componentName, allowed: 'a model component name of at most 118 characters' });
    c.throwIfAny();

    const manifests = (uri: (a: s3assets.Asset) => string) =>
      model.platforms.map((platform) => {
        const bundle = telemetryBundle(platform);
        let asset = this.assets.find((a) => a.node.id === `Agent-${platform.architecture}`);
        if (!asset) {
          asset = new s3assets.Asset(this, `Agent-${platform.architecture}`, { path: bundle.dir, exclude: ['.complete'] });
          this.assets.push(asset);
        }
        const folder = `{artifacts:decompressedPath}/${asset.assetHash}`;
        const m = model.componentName;
        const env: Readonly<Record<AgentVariable | 'AWS_CRT_NODEJS_BINARY_ABSOLUTE_PATH', string | undefined>> = {
          AWS_CRT_NODEJS_BINARY_ABSOLUTE_PATH: `${folder}/${CRT_LIBRARY}`,
          SERVINGSTACK_EDGE_RUNTIME_URL: `http://127.0.0.1:{${m}:configuration:/Port}`,
          SERVINGSTACK_EDGE_MODEL: model.modelName,
          SERVINGSTACK_EDGE_COMPONENT_VERSION: model.componentVersion,
          SERVINGSTACK_EDGE_DEVICE_GROUP: '{configuration:/DeviceGroup}',
          SERVINGSTACK_EDGE_TOPIC_PREFIX: '{configuration:/TopicPrefix}',
          SERVINGSTACK_EDGE_SCRAPE_SECONDS: '{configuration:/ScrapeSeconds}',
          SERVINGSTACK_EDGE_PUBLISH_SECONDS: '{configuration:/PublishSeconds}',
          SERVINGSTACK_EDGE_BUFFER_INTERVALS: '{configuration:/BufferIntervals}',
          SERVINGSTACK_EDGE_CAPTURE_DIR: `{${m}:work:path}/${CAPTURE_FOLDER}`,
          SERVINGSTACK_EDGE_CAPTURE_BUCKET: '{configuration:/CaptureBucket}',
          SERVINGSTACK_EDGE_CAPTURE_PREFIX: '{configuration:/CapturePrefix}',
          SERVINGSTACK_EDGE_S3_ENDPOINT: undefined,
        };
        const node = model.nodeCommandFor(platform);
        return {
          Name: `${platform.os}-${platform.architecture}`,
          Platform: { os: platform.os, architecture: platform.architecture },
          Lifecycle: {
            Run: {
              Script: [
                'set -eu',
                `exec env NODE_ENV=production ${Object.entries(env).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${q(v!)}`).join(' ')} ${q(node)} --max-old-space-size=64 ${q(`${folder}/agent.js`)}`,
              ].join('\n'),
            },
          },
          Artifacts: [{ URI: uri(asset), Unarchive: 'ZIP', Permission: { Read: 'OWNER', Execute: 'NONE' } }],
        };
      });
    const render = (uri: (a: s3assets.Asset) => string): Record<string, unknown> => ({
      RecipeFormatVersion: RECIPE_FORMAT_VERSION,
      ComponentName: this.componentName,
      ComponentVersion: this.componentVersion,
      ComponentDescription: `ServingStack edge telemetry of ${model.componentName}: metrics, drift verdicts and capture files to the cloud`,
      ComponentPublisher: 'ServingStack',
      ComponentDependencies: { [model.componentName]: { VersionRequirement: '>=0.0.0', DependencyType: 'SOFT' } },
      ComponentConfiguration: {
        DefaultConfiguration: {
          DeviceGroup: 'ungrouped',
          TopicPrefix: props.topicPrefix,
          ScrapeSeconds: String(props.scrapeSeconds),
          PublishSeconds: String(props.publishSeconds),
          BufferIntervals: String(props.bufferIntervals),
          CaptureBucket: props.captureBucketName ?? '',
          CapturePrefix: props.capturePrefix ?? `captures/${model.modelName}`,
          accessControl: {
            [MQTT_PROXY_SERVICE]: {
              [`${this.componentName}:mqttproxy:1`]: {
                policyDescription: 'Publish telemetry to this device\'s topic in IoT Core (the IoT policy pins the last level to the thing name)',
                operations: [PUBLISH_TO_IOT_CORE],
                resources: [`${props.topicPrefix}/*`],
              },
            },
          },
        },
      },
      Manifests: manifests(uri),
    });
    this.fingerprint = createHash('sha256').update(JSON.stringify(render((a) => `asset:${a.assetHash}`))).digest('hex');
    if (model.versionLockFile) checkVersionLock(model.versionLockFile, this.componentName, this.componentVersion, this.fingerprint, c);
    c.throwIfAny();
    this.recipe = render((a) => a.s3ObjectUrl);
    this.resource = new CfnComponentVersion(this, 'Resource', { inlineRecipe: Stack.of(this).toJsonString(this.recipe) });
    this.resource.applyRemovalPolicy(RemovalPolicy.RETAIN);
    this.resource.node.addDependency(model);
    this.componentArn = this.resource.attrArn;
  }

  /** `s3:GetObject` on the agent bundles, for the token exchange role. */
  public grantArtifactRead(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['s3:GetObject'], resourceArns: this.assets.map((a) => a.bucket.arnForObjects(a.s3ObjectKey)) });
  }
}

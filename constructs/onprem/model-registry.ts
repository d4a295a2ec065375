/**
 * The model registry: MLflow (community-charts `mlflow` chart) with its metadata in an existing
 * PostgreSQL and its artifacts in an S3-compatible bucket. Artifacts are not proxied
 * (`proxiedArtifactStorage: false`), so a registered version's `source` is an `s3://` URI the
 * serving init container can fetch directly; `servingstack onprem promote` resolves versions
 * and aliases through MLflow's REST API.
 */
import { Construct } from 'constructs';
import { HelmRelease, NamespaceV1 } from './private/binding';
import { OnPremServingStack } from './onprem-serving-stack';
import { Checker, ONPREM_ERRORS } from './private/checker';
import { deepMerge, helmValues } from './private/helm';

export const MLFLOW_CHART_REPOSITORY = 'https://community-charts.github.io/helm-charts';
export const MLFLOW_CHART_VERSION = '1.12.0';

export interface MlflowRegistryProps {
  /** PostgreSQL host (an existing server: a database operator's service or a DBA-run instance). */
  readonly postgresHost: string;
  /**
   * PostgreSQL port.
   * @default 5432
   */
  readonly postgresPort?: number;
  /**
   * Database name.
   * @default 'mlflow'
   */
  readonly postgresDatabase?: string;
  /** Existing Secret in the registry namespace with keys `username` and `password`. */
  readonly postgresCredentialsSecretName: string;
  /** Bucket holding the artifacts. */
  readonly artifactBucket: string;
  /**
   * Prefix inside the bucket.
   * @default - the bucket root
   */
  readonly artifactPath?: string;
  /**
   * Endpoint of the S3-compatible store (`MLFLOW_S3_ENDPOINT_URL`).
   * @default - AWS S3
   */
  readonly s3Endpoint?: string;
  /** Existing Secret in the registry namespace with keys `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`. */
  readonly s3CredentialsSecretName: string;
  /**
   * Namespace (created).
   * @default 'mlflow'
   */
  readonly namespace?: string;
  /**
   * Chart version.
   * @default '1.12.0'
   */
  readonly chartVersion?: string;
  /**
   * Extra chart values, deep-merged last.
   * @default - none
   */
  readonly extraValues?: { [key: string]: unknown };
}

export class MlflowRegistry extends Construct {
  public readonly namespace: string;
  public readonly release: HelmRelease;
  public readonly values: Record<string, unknown>;
  /** In-cluster tracking/registry URL (`--mlflow-url` of the rollout command, via a port-forward from outside). */
  public readonly trackingUrl: string;

  constructor(scope: Construct, id: string, props: MlflowRegistryProps) {
    super(scope, id);
    const stack = OnPremServingStack.of(this);
    this.namespace = props.namespace ?? 'mlflow';
    const checker = new Checker(this, ONPREM_ERRORS.REGISTRY, 'MlflowRegistry');
    checker.dnsLabel('namespace', this.namespace);
    checker.check(typeof props.postgresHost === 'string' && /^[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?$/.test(props.postgresHost), { field: 'postgresHost', message: 'is not a host name', received: props.postgresHost, allowed: 'a DNS name or IP address, e.g. mlflow-db-rw.databases.svc' });
    checker.intRange('postgresPort', props.postgresPort, 1, 65535);
    if (props.postgresDatabase !== undefined) checker.check(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(props.postgresDatabase), { field: 'postgresDatabase', message: 'is not a PostgreSQL identifier', received: props.postgresDatabase, allowed: 'letters, digits and _, up to 63' });
    checker.dnsLabel('postgresCredentialsSecretName', props.postgresCredentialsSecretName ?? '');
    checker.dnsLabel('s3CredentialsSecretName', props.s3CredentialsSecretName ?? '');
    checker.check(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(props.artifactBucket ?? ''), { field: 'artifactBucket', message: 'is not a bucket name', received: props.artifactBucket, allowed: '3–63 lower-case letters, digits, dots and dashes' });
    if (props.s3Endpoint !== undefined) checker.check(/^https?:\/\/[^\s/]+(\/.*)?$/.test(props.s3Endpoint), { field: 's3Endpoint', message: 'is not an http(s) URL', received: props.s3Endpoint, allowed: 'http(s)://host[:port]' });
    checker.throwIfAny();

    const ns = new NamespaceV1(this, 'Namespace', {
      provider: stack.kubernetesProvider,
      metadata: { name: this.namespace, labels: { 'app.kubernetes.io/part-of': 'servingstack', 'pod-security.kubernetes.io/enforce': 'baseline' } },
    });
    this.values = deepMerge(
      {
        backendStore: {
          databaseMigration: true,
          postgres: { enabled: true, host: props.postgresHost, port: props.postgresPort ?? 5432, database: props.postgresDatabase ?? 'mlflow' },
          existingDatabaseSecret: { name: props.postgresCredentialsSecretName, usernameKey: 'username', passwordKey: 'password' },
        },
        artifactRoot: {
          proxiedArtifactStorage: false,
          s3: {
            enabled: true,
            bucket: props.artifactBucket,
            path: props.artifactPath ?? '',
            existingSecret: { name: props.s3CredentialsSecretName, keyOfAccessKeyId: 'AWS_ACCESS_KEY_ID', keyOfSecretAccessKey: 'AWS_SECRET_ACCESS_KEY' },
          },
        },
        extraEnvVars: props.s3Endpoint ? { MLFLOW_S3_ENDPOINT_URL: props.s3Endpoint } : {},
        postgresql: { enabled: false },
      },
      props.extraValues ?? {},
    );
    this.trackingUrl = `http://mlflow.${this.namespace}.svc:5000`;
    this.release = new HelmRelease(this, 'Resource', {
      provider: stack.helmProvider,
      dependsOn: [ns],
      name: 'mlflow',
      namespace: this.namespace,
      repository: MLFLOW_CHART_REPOSITORY,
      chart: 'mlflow',
      version: props.chartVersion ?? MLFLOW_CHART_VERSION,
      atomic: true,
      values: helmValues(this.values),
    });
  }
}

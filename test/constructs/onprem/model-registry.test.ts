import { MlflowRegistry, MlflowRegistryProps, OnPremErrorCodes } from '../../../constructs/onprem';
import { Json, TerraformTemplate } from '../../support/terraform-template';
import { issuesOf } from '../../support/errors';
import { newStack } from '../../support/onprem';


describe('MlflowRegistry', () => {
  const props: MlflowRegistryProps = {
    postgresHost: 'mlflow-db-rw.databases.svc',
    postgresCredentialsSecretName: 'mlflow-db',
    artifactBucket: 'mlflow',
    s3Endpoint: 'http://minio.storage.svc:9000',
    s3CredentialsSecretName: 'mlflow-s3',
  };

  test('MLflow chart with PostgreSQL metadata and un-proxied S3 artifacts', () => {
    const stack = newStack();
    const registry = new MlflowRegistry(stack, 'Registry', props);
    const synth = TerraformTemplate.synth(stack);
    expect(synth.resource('helm_release', 'mlflow')).toMatchObject({ namespace: 'mlflow', repository: 'https://community-charts.github.io/helm-charts', chart: 'mlflow', version: '1.12.0' });
    const v: Json = synth.helmValues('mlflow');
    expect(v.backendStore).toEqual({
      databaseMigration: true,
      postgres: { enabled: true, host: 'mlflow-db-rw.databases.svc', port: 5432, database: 'mlflow' },
      existingDatabaseSecret: { name: 'mlflow-db', usernameKey: 'username', passwordKey: 'password' },
    });
    expect(v.artifactRoot).toEqual({
      proxiedArtifactStorage: false,
      s3: { enabled: true, bucket: 'mlflow', path: '', existingSecret: { name: 'mlflow-s3', keyOfAccessKeyId: 'AWS_ACCESS_KEY_ID', keyOfSecretAccessKey: 'AWS_SECRET_ACCESS_KEY' } },
    });
    expect(v.extraEnvVars).toEqual({ MLFLOW_S3_ENDPOINT_URL: 'http://minio.storage.svc:9000' });
    expect(v.postgresql).toEqual({ enabled: false });
    expect(registry.trackingUrl).toBe('http://mlflow.mlflow.svc:5000');
  });

  test('bad input', () => {
    const issues = issuesOf(() => new MlflowRegistry(newStack(), 'Registry', { ...props, postgresPort: 70000, artifactBucket: 'My_Bucket', s3Endpoint: 'minio:9000', postgresDatabase: 'ml-flow' }), OnPremErrorCodes.REGISTRY);
    expect(issues.map((i) => i.field)).toEqual(['postgresPort', 'postgresDatabase', 'artifactBucket', 's3Endpoint']);
  });
});

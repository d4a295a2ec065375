import { Construct } from 'constructs';
import { Token } from '../cdktf/binding';
import { ComputeGlobalAddress, ServiceNetworkingConnection, VertexAiEndpoint } from '../cdktf/google';
import { EndpointNetworking } from './endpoint-networking';
import { Checker, GCP_ERRORS, checkLabels } from './private/errors';
import { checkKmsKey } from './private/kms';
import { VertexServingStack } from './vertex-serving-stack';

export interface RequestResponseLoggingOptions {
  /** BigQuery table the request/response samples go to, `bq://PROJECT.DATASET.TABLE`. */
  readonly bigQueryTableUri: string;
  /**
   * Share of requests logged, 1–100 %.
   * @default 10
   */
  readonly samplingPercent?: number;
}

export interface VertexEndpointProps {
  /**
   * The endpoint ID (the resource `name`): numeric, no leading zero, at most 10 digits.
   * @default - a 10-digit number derived from the project, region and construct path (stable across synths)
   */
  readonly endpointId?: string;
  /**
   * Display name in the console.
   * @default - the construct ID
   */
  readonly displayName?: string;
  /**
   * Description.
   * @default - none
   */
  readonly description?: string;
  /**
   * Public, VPC peering or Private Service Connect.
   * @default EndpointNetworking.publicEndpoint()
   */
  readonly networking?: EndpointNetworking;
  /**
   * Cloud KMS key (CMEK) encrypting the endpoint; must be in the stack's region.
   * @default - Google-managed encryption
   */
  readonly kmsKeyName?: string;
  /**
   * Sample requests and responses into BigQuery.
   * @default - not logged
   */
  readonly requestResponseLogging?: RequestResponseLoggingOptions;
  /**
   * Give a public endpoint its own DNS name (`ENDPOINT.REGION-PROJECT.prediction.vertexai.goog`),
   * isolated from other endpoints' traffic.
   * @default false
   */
  readonly dedicatedEndpoint?: boolean;
  /**
   * Labels.
   * @default - the provider's default labels only
   */
  readonly labels?: { readonly [key: string]: string };
}

/** FNV-1a over the text, mapped to 10 digits without a leading zero (fits Vertex's numeric IDs). */
export function stableEndpointId(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return String(1_000_000_000 + (h % 1_000_000_000));
}

/**
 * A Vertex AI endpoint (`google_vertex_ai_endpoint`). Terraform creates the empty endpoint; the
 * rollout (`servingstack gcp deploy`) deploys models and owns the traffic split, so Terraform
 * ignores later changes to `traffic_split`.
 */
export class VertexEndpoint extends Construct {
  public readonly resource: VertexAiEndpoint;
  public readonly endpointId: string;
  /** `projects/PROJECT/locations/REGION/endpoints/ID`, the name the Vertex API takes. */
  public readonly endpointName: string;
  public readonly networking: EndpointNetworking;

  constructor(scope: Construct, id: string, props: VertexEndpointProps = {}) {
    super(scope, id);
    const stack = VertexServingStack.of(this);
    const networking = props.networking ?? EndpointNetworking.publicEndpoint();
    const endpointId = props.endpointId ?? stableEndpointId(`${stack.project}/${stack.region}/${this.node.path}`);
    const c = new Checker(GCP_ERRORS.ENDPOINT, `VertexEndpoint at ${this.node.path} is invalid`, (v) => Token.isUnresolved(v));
    c.pattern('endpointId', endpointId, /^[1-9][0-9]{0,9}$/, 'a number without leading zero, at most 10 digits');
    checkKmsKey(c, 'kmsKeyName', props.kmsKeyName, stack.region);
    checkLabels(c, 'labels', props.labels);
    if (props.displayName !== undefined) c.intRange('displayName (length)', props.displayName.length, 1, 128, 'characters');
    const logging = props.requestResponseLogging;
    if (logging) {
      c.pattern('requestResponseLogging.bigQueryTableUri', logging.bigQueryTableUri, /^bq:\/\/[a-z][a-z0-9-]{4,28}[a-z0-9]\.[A-Za-z0-9_]{1,1024}\.[A-Za-z0-9_-]{1,1024}$/, 'bq://PROJECT.DATASET.TABLE');
      c.intRange('requestResponseLogging.samplingPercent', logging.samplingPercent ?? 10, 1, 100, '%');
    }
    let network: string | undefined;
    if (networking.kind === 'vpc-peering') {
      c.pattern('networking.networkName', networking.networkName, /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/, 'a VPC network name (not a path)');
      c.check(stack.projectNumber !== undefined, { field: 'networking', message: 'VPC peering names the network by project number, and the stack has no projectNumber', allowed: 'set VertexServingStackProps.projectNumber' });
      c.intRange('networking.reservedRangePrefixLength', networking.peering.reservedRangePrefixLength ?? 16, 8, 24);
      network = `projects/${stack.projectNumber}/global/networks/${networking.networkName}`;
    }
    if (networking.kind === 'private-service-connect') {
      (networking.psc.projectAllowlist ?? []).forEach((p, i) => c.pattern(`networking.projectAllowlist[${i}]`, p, /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, 'a project ID'));
    }
    if (networking.kind !== 'public') {
      c.check(!props.dedicatedEndpoint, { field: 'dedicatedEndpoint', message: 'only applies to public endpoints', received: props.dedicatedEndpoint, allowed: 'false with private networking' });
    }
    c.throwIfAny();

    this.endpointId = endpointId;
    this.networking = networking;
    this.endpointName = `projects/${stack.project}/locations/${stack.region}/endpoints/${endpointId}`;
    const dependsOn = [];
    if (networking.kind === 'vpc-peering' && networking.peering.configurePrivateServiceAccess) {
      const selfLink = `projects/${stack.project}/global/networks/${networking.networkName}`;
      const range = new ComputeGlobalAddress(this, 'PrivateServiceRange', {
        name: `${networking.networkName}-vertex-psa`.slice(0, 63),
        purpose: 'VPC_PEERING',
        addressType: 'INTERNAL',
        prefixLength: networking.peering.reservedRangePrefixLength ?? 16,
        network: selfLink,
      });
      dependsOn.push(new ServiceNetworkingConnection(this, 'PrivateServiceAccess', {
        network: selfLink,
        service: 'servicenetworking.googleapis.com',
        reservedPeeringRanges: [range.name],
      }));
    }
    this.resource = new VertexAiEndpoint(this, 'Resource', {
      name: endpointId,
      displayName: props.displayName ?? id,
      description: props.description,
      location: stack.region,
      region: stack.region,
      labels: props.labels,
      network,
      privateServiceConnectConfig: networking.kind === 'private-service-connect'
        ? { enablePrivateServiceConnect: true, projectAllowlist: [...(networking.psc.projectAllowlist ?? [stack.project])] }
        : undefined,
      dedicatedEndpointEnabled: props.dedicatedEndpoint,
      encryptionSpec: props.kmsKeyName ? { kmsKeyName: props.kmsKeyName } : undefined,
      predictRequestResponseLoggingConfig: logging
        ? { enabled: true, samplingRate: (logging.samplingPercent ?? 10) / 100, bigqueryDestination: { outputUri: logging.bigQueryTableUri } }
        : undefined,
      lifecycle: { ignoreChanges: ['traffic_split'] },
      dependsOn: dependsOn.length > 0 ? dependsOn : undefined,
    });
  }
}

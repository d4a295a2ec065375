/**
 * How clients reach the Vertex AI endpoint: public (default), VPC network peering, or Private
 * Service Connect. A union-like class: pick one with a static factory.
 */
export interface VpcPeeringOptions {
  /**
   * Also reserve a /16 range and create the private services access connection on the network
   * (`google_compute_global_address` + `google_service_networking_connection`); leave false when
   * private services access is already configured.
   * @default false
   */
  readonly configurePrivateServiceAccess?: boolean;
  /**
   * Prefix length of the reserved range when `configurePrivateServiceAccess` is set.
   * @default 16
   */
  readonly reservedRangePrefixLength?: number;
}

export interface PrivateServiceConnectOptions {
  /**
   * Projects whose forwarding rules may target the endpoint's service attachment.
   * @default - the stack's own project
   */
  readonly projectAllowlist?: readonly string[];
}

export class EndpointNetworking {
  /** A public endpoint (`REGION-aiplatform.googleapis.com`), IAM-authenticated. */
  public static publicEndpoint(): EndpointNetworking {
    return new EndpointNetworking('public');
  }

  /**
   * Peered with a VPC network of the stack's project (private services access). `networkName` is
   * the network's name; the endpoint references it by project number, so the stack needs
   * `projectNumber`.
   */
  public static vpcPeering(networkName: string, options: VpcPeeringOptions = {}): EndpointNetworking {
    return new EndpointNetworking('vpc-peering', networkName, options);
  }

  /** Reachable through Private Service Connect from the allow-listed projects. */
  public static privateServiceConnect(options: PrivateServiceConnectOptions = {}): EndpointNetworking {
    return new EndpointNetworking('private-service-connect', undefined, {}, options);
  }

  private constructor(
    /** `public`, `vpc-peering` or `private-service-connect`. */
    public readonly kind: string,
    /** The VPC network name (VPC peering only). */
    public readonly networkName?: string,
    /** VPC peering options. */
    public readonly peering: VpcPeeringOptions = {},
    /** Private Service Connect options. */
    public readonly psc: PrivateServiceConnectOptions = {},
  ) {}
}

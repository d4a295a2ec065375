/**
 * The edge telemetry agent's environment: what the telemetry component's run step sets (from its
 * component configuration) and what Greengrass sets for every component. The construct types the
 * variables it writes with {@link AgentVariable}; docs/edge.md lists them.
 */

export const AGENT_ENVIRONMENT = {
  SERVINGSTACK_EDGE_RUNTIME_URL: 'Base URL of the runtime on the device, e.g. http://127.0.0.1:8080 (its /metrics route is scraped).',
  SERVINGSTACK_EDGE_MODEL: "The model's name (the runtime's `model` metric label).",
  SERVINGSTACK_EDGE_COMPONENT_VERSION: 'Version of the model component (carried in every message).',
  SERVINGSTACK_EDGE_DEVICE_GROUP: 'Thing group the deployment targets (the fleet or its canary group): names the CloudWatch namespace.',
  SERVINGSTACK_EDGE_TOPIC_PREFIX: 'MQTT topic prefix; the agent publishes on <prefix>/<thing name>.',
  SERVINGSTACK_EDGE_SCRAPE_SECONDS: 'Seconds between scrapes of /metrics (default 10).',
  SERVINGSTACK_EDGE_PUBLISH_SECONDS: 'Seconds per interval; one message per interval (default 60).',
  SERVINGSTACK_EDGE_BUFFER_INTERVALS: 'Intervals kept while IoT Core cannot be reached; beyond, the oldest two merge (default 1440).',
  SERVINGSTACK_EDGE_CAPTURE_DIR: "The runtime's SERVINGSTACK_CAPTURE_DIR: rotated capture files there are shipped (default: none).",
  SERVINGSTACK_EDGE_CAPTURE_BUCKET: 'S3 bucket the capture files go to (default: none, no shipping).',
  SERVINGSTACK_EDGE_CAPTURE_PREFIX: 'Key prefix in the bucket; objects are <prefix>/<thing name>/<file> (default captures).',
  SERVINGSTACK_EDGE_S3_ENDPOINT: 'S3 endpoint override (tests, VPC endpoints).',
} as const;

/** Set by Greengrass for every component process. */
export const GREENGRASS_ENVIRONMENT = {
  AWS_IOT_THING_NAME: "The core device's thing name.",
  AWS_REGION: 'The region of the nucleus.',
  SVCUID: 'The IPC authentication token of the component.',
  AWS_GG_NUCLEUS_DOMAIN_SOCKET_FILEPATH_FOR_COMPONENT: "The nucleus' IPC socket.",
  AWS_CONTAINER_CREDENTIALS_FULL_URI: 'The token exchange service (AWS credentials of the token exchange role).',
} as const;

export type AgentVariable = keyof typeof AGENT_ENVIRONMENT;

export interface AgentConfig {
  readonly runtimeUrl: string;
  readonly model: string;
  readonly componentVersion: string;
  readonly deviceGroup: string;
  readonly device: string;
  readonly topicPrefix: string;
  readonly scrapeMs: number;
  readonly publishMs: number;
  readonly bufferIntervals: number;
  readonly captureDir?: string;
  readonly captureBucket?: string;
  readonly capturePrefix: string;
  readonly region?: string;
  readonly s3Endpoint?: string;
}

/** Read and check the configuration; throws one error listing every bad variable. */
export function agentConfigFromEnv(env: Readonly<Record<string, string | undefined>>): AgentConfig {
  const problems: string[] = [];
  const required = (name: AgentVariable | 'AWS_IOT_THING_NAME'): string => {
    const v = env[name];
    if (!v) problems.push(`${name} is required`);
    return v ?? '';
  };
  const seconds = (name: AgentVariable, def: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return def;
    const v = Number(raw);
    if (!Number.isFinite(v) || v < min || v > max) problems.push(`${name}: received ${JSON.stringify(raw)}; allowed: a number from ${min} to ${max}`);
    return v;
  };
  const config: AgentConfig = {
    runtimeUrl: required('SERVINGSTACK_EDGE_RUNTIME_URL').replace(/\/+$/, ''),
    model: required('SERVINGSTACK_EDGE_MODEL'),
    componentVersion: env.SERVINGSTACK_EDGE_COMPONENT_VERSION ?? '',
    deviceGroup: required('SERVINGSTACK_EDGE_DEVICE_GROUP'),
    device: required('AWS_IOT_THING_NAME'),
    topicPrefix: required('SERVINGSTACK_EDGE_TOPIC_PREFIX'),
    scrapeMs: seconds('SERVINGSTACK_EDGE_SCRAPE_SECONDS', 10, 0.05, 3600) * 1000,
    publishMs: seconds('SERVINGSTACK_EDGE_PUBLISH_SECONDS', 60, 0.1, 86400) * 1000,
    bufferIntervals: Math.floor(seconds('SERVINGSTACK_EDGE_BUFFER_INTERVALS', 1440, 2, 100_000)),
    captureDir: env.SERVINGSTACK_EDGE_CAPTURE_DIR || undefined,
    captureBucket: env.SERVINGSTACK_EDGE_CAPTURE_BUCKET || undefined,
    capturePrefix: env.SERVINGSTACK_EDGE_CAPTURE_PREFIX || 'captures',
    region: env.AWS_REGION || undefined,
    s3Endpoint: env.SERVINGSTACK_EDGE_S3_ENDPOINT || undefined,
  };
  if (config.publishMs < config.scrapeMs) problems.push('SERVINGSTACK_EDGE_PUBLISH_SECONDS must be at least SERVINGSTACK_EDGE_SCRAPE_SECONDS');
  if (problems.length > 0) throw new Error(`servingstack edge agent: bad configuration\n  - ${problems.join('\n  - ')}`);
  return config;
}

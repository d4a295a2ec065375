/**
 * The telemetry message an edge device publishes (one per interval, JSON, QoS 1) and the fleet
 * metrics the cloud derives from it. The construct's IoT rules read these field names; the agent
 * writes them; both import them from here, so a renamed field fails to compile on both sides.
 */
import { RUNTIME_METRICS } from '../core/metrics-catalog';
import { latencyQuantileMillis, TelemetryInterval } from './telemetry';

export const TELEMETRY_SCHEMA = 'servingstack.edge.telemetry/1';

/** MQTT topic a device publishes on: the thing name is the last level (the IoT policy pins it). */
export function telemetryTopic(prefix: string, thingName: string): string {
  return `${prefix}/${thingName}`;
}

/** Fields of the message (flat, so IoT rule substitution templates can read them). */
export interface TelemetryMessage {
  readonly schema: string;
  readonly device: string;
  readonly deviceGroup: string;
  readonly model: string;
  readonly componentVersion: string;
  /** 1 for the interval just closed, 0 for an interval published late (after an outage). */
  readonly live: number;
  /** Interval start and end, epoch milliseconds. */
  readonly start: number;
  readonly end: number;
  /** Interval end in epoch seconds (CloudWatch metric timestamp). */
  readonly timestamp: number;
  readonly requests: number;
  readonly serverErrors: number;
  readonly clientErrors: number;
  readonly rejected: number;
  readonly rows: number;
  readonly conceptDriftDetections: number;
  /** Present when the interval had requests. */
  readonly latencyP50Millis?: number;
  readonly latencyP99Millis?: number;
  readonly driftSamples: number;
  readonly maxDriftedFeatures: number;
  readonly accuracy?: number;
  readonly labelledRows?: number;
  /** Counts of the latency histogram (buckets {@link LATENCY_BUCKETS_SECONDS}, then +Inf), for offline analysis. */
  readonly latencyBuckets: readonly number[];
}

export interface DeviceIdentity {
  readonly device: string;
  readonly deviceGroup: string;
  readonly model: string;
  readonly componentVersion: string;
}

const round = (x: number | undefined): number | undefined => (x === undefined ? undefined : Math.round(x * 1000) / 1000);

export function telemetryMessage(interval: TelemetryInterval, who: DeviceIdentity, live: boolean): TelemetryMessage {
  return {
    schema: TELEMETRY_SCHEMA,
    ...who,
    live: live ? 1 : 0,
    start: interval.start,
    end: interval.end,
    timestamp: Math.floor(interval.end / 1000),
    requests: interval.requests,
    serverErrors: interval.serverErrors,
    clientErrors: interval.clientErrors,
    rejected: interval.rejected,
    rows: interval.rows,
    conceptDriftDetections: interval.conceptDriftDetections,
    latencyP50Millis: round(latencyQuantileMillis(interval.latencyBuckets, 0.5)),
    latencyP99Millis: round(latencyQuantileMillis(interval.latencyBuckets, 0.99)),
    driftSamples: interval.driftSamples,
    maxDriftedFeatures: interval.maxDriftedFeatures,
    accuracy: interval.accuracy,
    labelledRows: interval.labelledRows,
    latencyBuckets: interval.latencyBuckets,
  };
}

/** One CloudWatch metric of the fleet: its name, unit, the message field it reads, and when the message has it. */
export interface FleetMetric {
  readonly name: string;
  readonly unit: 'Count' | 'Milliseconds' | 'None';
  /** IoT SQL expression of the value (a field, or a CASE over fields). */
  readonly value: string;
  /** IoT SQL condition: the message carries the value. */
  readonly when: string;
  readonly description: string;
}

/**
 * The fleet metrics, in namespace `ServingStack/Edge/<model>/<device group>` (CloudWatch IoT rule
 * actions carry no dimensions: the namespace names the group). Names shared with the runtime keep
 * the runtime's catalogue name.
 */
export function fleetMetrics(maxDriftedFeatures: number): readonly FleetMetric[] {
  return [
    { name: 'servingstack_edge_devices_reporting', unit: 'Count', value: 'live', when: 'live = 1', description: '1 per device per interval, live intervals only' },
    { name: RUNTIME_METRICS.requests.name, unit: 'Count', value: 'requests', when: 'true', description: 'requests answered' },
    { name: 'servingstack_edge_server_errors', unit: 'Count', value: 'serverErrors', when: 'true', description: 'answers with a 5xx status' },
    { name: RUNTIME_METRICS.rejected.name, unit: 'Count', value: 'rejected', when: 'true', description: 'requests refused before inference' },
    { name: RUNTIME_METRICS.inferenceRows.name, unit: 'Count', value: 'rows', when: 'true', description: 'rows inferred' },
    { name: RUNTIME_METRICS.conceptDrift.name, unit: 'Count', value: 'conceptDriftDetections', when: 'true', description: 'change detections on the error stream' },
    { name: 'servingstack_edge_latency_p50', unit: 'Milliseconds', value: 'latencyP50Millis', when: 'requests > 0', description: "the device's median request latency in the interval" },
    { name: 'servingstack_edge_latency_p99', unit: 'Milliseconds', value: 'latencyP99Millis', when: 'requests > 0', description: "the device's p99 request latency in the interval" },
    {
      name: 'servingstack_edge_drift_verdict', unit: 'None',
      value: `CASE maxDriftedFeatures >= ${maxDriftedFeatures} WHEN true THEN 1 ELSE 0 END`,
      when: 'driftSamples > 0', description: `1 when a drift window of the interval had ${maxDriftedFeatures} or more drifted features, else 0 (the average is the share of devices drifting)`,
    },
    { name: RUNTIME_METRICS.driftedFeatures.name, unit: 'Count', value: 'maxDriftedFeatures', when: 'driftSamples > 0', description: 'largest drifted-feature count of the interval' },
    { name: RUNTIME_METRICS.modelAccuracy.name, unit: 'None', value: 'accuracy', when: 'labelledRows > 0', description: "the device's rolling accuracy over labelled rows" },
  ];
}

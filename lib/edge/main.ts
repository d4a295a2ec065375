/**
 * Entry point of the edge telemetry agent (bundled per platform by the construct; run by the
 * telemetry component's run step). Configuration: environment variables (lib/edge/config.ts).
 */
import { CaptureShipper, s3ObjectStore } from './capture-shipper';
import { TelemetryAgent } from './agent';
import { agentConfigFromEnv } from './config';
import { GreengrassIpcPublisher } from './ipc-publisher';

const log = {
  info: (obj: object, msg: string): void => console.log(JSON.stringify({ level: 'info', time: new Date().toISOString(), msg, ...obj })),
  warn: (obj: object, msg: string): void => console.error(JSON.stringify({ level: 'warn', time: new Date().toISOString(), msg, ...obj })),
};

export function main(): void {
  let config;
  try {
    config = agentConfigFromEnv(process.env);
  } catch (e) {
    console.error((e as Error).message);
    process.exit(2);
  }
  const shipper =
    config.captureDir && config.captureBucket
      ? new CaptureShipper(config.captureDir, s3ObjectStore(config.captureBucket, { region: config.region, endpoint: config.s3Endpoint, forcePathStyle: config.s3Endpoint !== undefined }), config.capturePrefix, config.device)
      : undefined;
  const agent = new TelemetryAgent(config, { publisher: new GreengrassIpcPublisher(), shipper, log });
  agent.start();
  log.info({ model: config.model, group: config.deviceGroup, device: config.device, publishSeconds: config.publishMs / 1000 }, 'edge telemetry agent started');
  const stop = (): void => {
    void agent.stop().finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (require.main === module) main();

/**
 * Publishes to AWS IoT Core through the Greengrass nucleus: the Greengrass IPC client of
 * `aws-iot-device-sdk-v2` (eventstream RPC over the nucleus' Unix domain socket, authenticated by
 * the `SVCUID` token Greengrass gives the component), operation `PublishToIoTCore` with QoS 1. The
 * nucleus answers once IoT Core acknowledged the message, or with an error when it cannot
 * (offline and its spooler full, no authorization, timeout): the agent then keeps the interval and
 * tries again later. A lost IPC connection (nucleus restart) is reopened on the next publish.
 *
 * The SDK's native part (`aws-crt`) is shipped per platform in the telemetry bundle; only this
 * module loads it, so the rest of the agent runs and tests without it.
 */
import type { MessagePublisher } from './agent';

interface IpcClient {
  connect(): Promise<void>;
  close(): Promise<void>;
  on(event: 'disconnection', listener: (e: unknown) => void): IpcClient;
  publishToIoTCore(request: { topicName: string; qos: string; payload: Uint8Array }, options?: { timeoutMs?: number }): Promise<unknown>;
}

interface GreengrassIpc {
  createClient(): IpcClient;
}

function loadSdk(): GreengrassIpc {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('aws-iot-device-sdk-v2').greengrasscoreipc as GreengrassIpc;
}

export class GreengrassIpcPublisher implements MessagePublisher {
  private client?: IpcClient;
  private connecting?: Promise<IpcClient>;

  constructor(private readonly sdk: () => GreengrassIpc = loadSdk) {}

  private async connected(): Promise<IpcClient> {
    if (this.client) return this.client;
    this.connecting ??= (async () => {
      const client = this.sdk().createClient();
      client.on('disconnection', () => {
        if (this.client === client) this.client = undefined;
      });
      try {
        await client.connect();
      } catch (e) {
        await client.close().catch(() => undefined);
        throw e;
      }
      this.client = client;
      return client;
    })().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  public async publish(topic: string, payload: string): Promise<void> {
    const client = await this.connected();
    try {
      await client.publishToIoTCore({ topicName: topic, qos: '1', payload: Buffer.from(payload, 'utf8') });
    } catch (e) {
      // Some failures leave the connection unusable: start afresh next time.
      if (this.client === client) {
        this.client = undefined;
        await client.close().catch(() => undefined);
      }
      throw new Error(`PublishToIoTCore ${topic} failed: ${describe(e)}`);
    }
  }

  public async close(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    await c?.close().catch(() => undefined);
  }
}

function describe(e: unknown): string {
  const err = e as { message?: string; serviceError?: { message?: string } };
  return err.serviceError?.message ?? err.message ?? String(e);
}

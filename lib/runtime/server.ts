/**
 * Start a runtime on a port and wire the process signals. SIGTERM (platforms: rolling updates,
 * scale-in) shuts down with the grace period — readiness off, requests still served — then drains
 * and exits, inside SageMaker's and Kubernetes' 30 s. SIGINT (Ctrl-C) skips the grace period.
 */
import type { AddressInfo } from 'node:net';
import { createRuntime, Runtime, RuntimeOptions } from './app';
import type { RuntimeConfig } from './config';

export interface StartedRuntime {
  readonly runtime: Runtime;
  readonly url: string;
  readonly port: number;
}

export async function startRuntime(config: RuntimeConfig, options: RuntimeOptions & { readonly handleSignals?: boolean } = {}): Promise<StartedRuntime> {
  const runtime = createRuntime(config, options);
  // Listen first: SageMaker wants the socket within 250 ms, and liveness must answer while loading.
  await runtime.app.listen({ host: config.host, port: config.port });
  const port = (runtime.app.server.address() as AddressInfo).port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  runtime.log.info({ port, workers: config.workers, multiModel: config.multiModel }, 'listening');
  if (options.handleSignals ?? true) {
    const stop = (signal: string): void => {
      const graceMs = signal === 'SIGTERM' ? config.shutdownGraceMs : 0;
      runtime.log.info({ signal, graceMs, drainTimeoutMs: config.drainTimeoutMs }, 'shutdown requested');
      // Not unref()'d: besides the hard stop, this timer keeps the event loop alive until shutdown()
      // has finished (workers and the closed server hold no reference; the process would exit early).
      setTimeout(() => process.exit(1), graceMs + config.drainTimeoutMs + 6000);
      runtime.shutdown(graceMs).then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  }
  await runtime.loadStartupModels();
  return { runtime, url: `http://${host}:${port}`, port };
}

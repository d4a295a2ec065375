/**
 * The edge telemetry agent: runs on the device beside the runtime (its own Greengrass component).
 * Every scrape interval it reads the runtime's `/metrics` into the current interval's counts; every
 * publish interval it closes the interval into a bounded buffer and publishes the buffer, oldest
 * first, one message per interval. When publishing fails (offline, nucleus restarting) the
 * intervals stay buffered and counting goes on; at capacity the oldest two merge, so memory stays
 * bounded and no count is lost. Then it ships rotated capture files.
 */
import type { AgentConfig } from './config';
import type { CaptureShipper } from './capture-shipper';
import { telemetryMessage, telemetryTopic } from './message';
import { parsePrometheusText } from './prometheus-text';
import { ScrapeAccumulator, TelemetryBuffer } from './telemetry';

export interface MessagePublisher {
  publish(topic: string, payload: string): Promise<void>;
  close(): Promise<void>;
}

export interface AgentLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface AgentDependencies {
  readonly publisher: MessagePublisher;
  readonly shipper?: CaptureShipper;
  /** GET the runtime's metrics page. */
  readonly fetchMetrics?: (url: string) => Promise<string>;
  readonly now?: () => number;
  readonly log?: AgentLog;
}

async function httpMetrics(url: string): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return res.text();
}

const silent: AgentLog = { info: () => undefined, warn: () => undefined };

export class TelemetryAgent {
  public readonly buffer: TelemetryBuffer;
  private readonly accumulator: ScrapeAccumulator;
  private readonly now: () => number;
  private readonly log: AgentLog;
  private readonly fetchMetrics: (url: string) => Promise<string>;
  private timers: NodeJS.Timeout[] = [];
  private flushing?: Promise<void>;
  /** Messages published, scrapes that failed, publish attempts that failed. */
  public published = 0;
  public scrapeFailures = 0;
  public publishFailures = 0;
  public connected = false;

  constructor(
    private readonly config: AgentConfig,
    private readonly deps: AgentDependencies,
  ) {
    this.now = deps.now ?? Date.now;
    this.log = deps.log ?? silent;
    this.fetchMetrics = deps.fetchMetrics ?? httpMetrics;
    this.buffer = new TelemetryBuffer(config.bufferIntervals);
    this.accumulator = new ScrapeAccumulator(config.model, this.now());
  }

  /** One scrape of the runtime's metrics. A runtime that does not answer is skipped (and counted). */
  public async scrape(): Promise<void> {
    try {
      const page = await this.fetchMetrics(`${this.config.runtimeUrl}/metrics`);
      this.accumulator.observe(parsePrometheusText(page), this.now());
    } catch (e) {
      this.scrapeFailures++;
      if (this.scrapeFailures % 30 === 1) this.log.warn({ err: (e as Error).message, failures: this.scrapeFailures }, 'cannot scrape the runtime');
    }
  }

  /** Close the current interval into the buffer. */
  public closeInterval(): void {
    this.buffer.push(this.accumulator.close(this.now()));
  }

  /**
   * Publish buffered intervals, oldest first, until the buffer is empty or a publish fails; then
   * ship capture files. Never runs twice at once.
   */
  public flush(): Promise<void> {
    this.flushing ??= this.doFlush().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async doFlush(): Promise<void> {
    const topic = telemetryTopic(this.config.topicPrefix, this.config.device);
    const who = { device: this.config.device, deviceGroup: this.config.deviceGroup, model: this.config.model, componentVersion: this.config.componentVersion };
    let interval = this.buffer.peek();
    while (interval) {
      // Live: the interval that just closed; anything older is published late.
      const live = this.buffer.size === 1 && this.now() - interval.end < 2 * this.config.publishMs;
      try {
        await this.deps.publisher.publish(topic, JSON.stringify(telemetryMessage(interval, who, live)));
      } catch (e) {
        this.publishFailures++;
        if (this.connected) this.log.warn({ err: (e as Error).message, buffered: this.buffer.size }, 'IoT Core unreachable: keeping intervals');
        this.connected = false;
        return;
      }
      if (!this.connected) this.log.info({ buffered: this.buffer.size }, 'publishing to IoT Core');
      this.connected = true;
      this.buffer.shift();
      this.published++;
      interval = this.buffer.peek();
    }
    if (this.deps.shipper) {
      try {
        await this.deps.shipper.ship();
      } catch (e) {
        this.log.warn({ err: (e as Error).message }, 'capture upload failed: retrying next interval');
      }
    }
  }

  /** Run on timers until {@link stop}. */
  public start(): void {
    void this.scrape();
    this.timers.push(setInterval(() => void this.scrape(), this.config.scrapeMs));
    this.timers.push(
      setInterval(() => {
        this.closeInterval();
        void this.flush();
      }, this.config.publishMs),
    );
  }

  /** Stop the timers, close the current interval and try one last publish. */
  public async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.scrape();
    this.closeInterval();
    await this.flush();
    await this.deps.publisher.close();
  }
}

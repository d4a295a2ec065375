/**
 * Streaming change detectors on an error stream (0/1 misclassifications or absolute errors),
 * O(1) memory (monitoring.md §3.5, River's definitions and defaults).
 */

export interface ChangeDetector {
  /** Feed one value; returns true when a change is detected (the detector then resets). */
  update(x: number): boolean;
  readonly detections: number;
}

export interface PageHinkleyOptions {
  /** Observations before a change can be signalled. @default 30 */
  readonly minInstances?: number;
  /** Magnitude of change tolerated. @default 0.005 */
  readonly delta?: number;
  /** Detection threshold (lambda). @default 50 */
  readonly threshold?: number;
  /** Forgetting factor. @default 1 - 1e-4 */
  readonly alpha?: number;
}

/** Page–Hinkley test for an increase of the mean. */
export class PageHinkley implements ChangeDetector {
  private n = 0;
  private mean = 0;
  private sum = 0;
  public detections = 0;
  private readonly minInstances: number;
  private readonly delta: number;
  private readonly threshold: number;
  private readonly alpha: number;

  constructor(o: PageHinkleyOptions = {}) {
    this.minInstances = o.minInstances ?? 30;
    this.delta = o.delta ?? 0.005;
    this.threshold = o.threshold ?? 50;
    this.alpha = o.alpha ?? 1 - 1e-4;
  }

  public update(x: number): boolean {
    this.n++;
    this.mean += (x - this.mean) / this.n;
    this.sum = Math.max(0, this.alpha * this.sum + x - this.mean - this.delta);
    if (this.n >= this.minInstances && this.sum >= this.threshold) {
      this.detections++;
      this.reset();
      return true;
    }
    return false;
  }

  public reset(): void {
    this.n = 0;
    this.mean = 0;
    this.sum = 0;
  }

  /** The current statistic (for export). */
  public get statistic(): number {
    return this.sum;
  }
}

export interface DdmOptions {
  /** @default 30 */
  readonly warmStart?: number;
  /** @default 2 */
  readonly warningThreshold?: number;
  /** @default 3 */
  readonly driftThreshold?: number;
}

/** Drift Detection Method (Gama et al. 2004) on a 0/1 error stream. */
export class Ddm implements ChangeDetector {
  private n = 0;
  private p = 0;
  private pMin = Infinity;
  private sMin = Infinity;
  public detections = 0;
  public warning = false;
  private readonly warmStart: number;
  private readonly warningThreshold: number;
  private readonly driftThreshold: number;

  constructor(o: DdmOptions = {}) {
    this.warmStart = o.warmStart ?? 30;
    this.warningThreshold = o.warningThreshold ?? 2;
    this.driftThreshold = o.driftThreshold ?? 3;
  }

  public update(error: number): boolean {
    this.n++;
    this.p += (error - this.p) / this.n;
    const s = Math.sqrt((this.p * (1 - this.p)) / this.n);
    if (this.n < this.warmStart) return false;
    if (this.p + s < this.pMin + this.sMin) {
      this.pMin = this.p;
      this.sMin = s;
    }
    this.warning = this.p + s > this.pMin + this.warningThreshold * this.sMin;
    if (this.p + s > this.pMin + this.driftThreshold * this.sMin) {
      this.detections++;
      this.n = 0;
      this.p = 0;
      this.pMin = Infinity;
      this.sMin = Infinity;
      this.warning = false;
      return true;
    }
    return false;
  }
}

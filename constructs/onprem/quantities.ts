/**
 * Typed Kubernetes resource quantities, so callers never hand-write `"500m"` or `"2Gi"`.
 * Values are validated where they are used (the using construct names the property).
 */

/** A CPU quantity, held in millicores. */
export class Cpu {
  /** Millicores: `Cpu.millis(500)` renders `500m`. */
  public static millis(amount: number): Cpu {
    return new Cpu(amount);
  }

  /** Whole or fractional cores: `Cpu.units(1.5)` renders `1500m`. */
  public static units(amount: number): Cpu {
    return new Cpu(amount * 1000);
  }

  private constructor(private readonly millicores: number) {}

  /** The amount in millicores. */
  public get amountInMillis(): number {
    return this.millicores;
  }

  /** Kubernetes quantity string, e.g. `1500m`. */
  public toKubernetes(): string {
    return `${this.millicores}m`;
  }
}

/** A memory or storage size, held in mebibytes. */
export class Size {
  public static mebibytes(amount: number): Size {
    return new Size(amount);
  }

  public static gibibytes(amount: number): Size {
    return new Size(amount * 1024);
  }

  private constructor(private readonly mib: number) {}

  /** The amount in mebibytes. */
  public get amountInMebibytes(): number {
    return this.mib;
  }

  /** Kubernetes quantity string, e.g. `2048Mi`. */
  public toKubernetes(): string {
    return `${this.mib}Mi`;
  }
}

/** A length of time (probe periods, grace periods, timeouts), held in milliseconds. */
export class Duration {
  public static millis(amount: number): Duration {
    return new Duration(amount);
  }

  public static seconds(amount: number): Duration {
    return new Duration(amount * 1000);
  }

  public static minutes(amount: number): Duration {
    return new Duration(amount * 60_000);
  }

  private constructor(private readonly ms: number) {}

  public toMilliseconds(): number {
    return this.ms;
  }

  /** Whole seconds, as Kubernetes wants them (validation refuses fractions before rendering). */
  public toSeconds(): number {
    return this.ms / 1000;
  }
}

/** CPU of a container: request (scheduling) and limit (throttling). */
export interface CpuResources {
  /**
   * CPU request.
   * @default Cpu.millis(1000)
   */
  readonly request?: Cpu;
  /**
   * CPU limit.
   * @default Cpu.millis(2000)
   */
  readonly limit?: Cpu;
}

/** Memory of a container: request (scheduling) and limit (OOM kill). */
export interface MemoryResources {
  /**
   * Memory request.
   * @default Size.gibibytes(2)
   */
  readonly request?: Size;
  /**
   * Memory limit.
   * @default Size.gibibytes(4)
   */
  readonly limit?: Size;
}

/** Resources of a serving container, grouped as cdk8s-plus does: `{ cpu: { request, limit }, memory: … }`. */
export interface ContainerResources {
  /** @default - 1000m request, 2000m limit */
  readonly cpu?: CpuResources;
  /** @default - 2 GiB request, 4 GiB limit */
  readonly memory?: MemoryResources;
}

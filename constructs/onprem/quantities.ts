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

/** True when the quantity is a whole, positive number of its unit. */
export function isWholePositive(n: number): boolean {
  return Number.isInteger(n) && n > 0;
}

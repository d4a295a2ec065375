/**
 * How urgent an alert is: one vocabulary for every target. Each target only translates it (AWS:
 * the alarm name's suffix and description; Google Cloud Monitoring: the alert policy severity;
 * Prometheus: the `severity` label Alertmanager routes on).
 */
export class Severity {
  /** Page someone: users are failing now. */
  public static readonly CRITICAL = new Severity('critical', 'Critical');
  /** Look during working hours. */
  public static readonly WARNING = new Severity('warning', 'Warning');
  /** For the record; notify nobody. */
  public static readonly INFO = new Severity('info', 'Info');

  /** Every severity, most urgent first. */
  public static all(): readonly Severity[] {
    return [Severity.CRITICAL, Severity.WARNING, Severity.INFO];
  }

  private constructor(
    /** Lower-case name: `critical`, `warning`, `info` (the Prometheus `severity` label value). */
    public readonly name: string,
    /** Capitalised name: `Critical`, `Warning`, `Info` (the suffix of AWS alarm names). */
    public readonly title: string,
  ) {}

  public toString(): string {
    return this.name;
  }
}

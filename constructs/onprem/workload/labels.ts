/** The labels and annotations every serving pod carries (the scrape job, dashboards and alerts key on them). */

/** Pod annotations the Prometheus scrape job keys on (see ServingMonitoring). */
export const SCRAPE_ANNOTATIONS = { scrape: 'servingstack.io/scrape', port: 'servingstack.io/port', path: 'servingstack.io/path' } as const;
/** Pod labels shared by every ServingStack track. */
export const POD_LABELS = { app: 'servingstack.io/app', track: 'servingstack.io/track', modelVersion: 'servingstack.io/model-version' } as const;

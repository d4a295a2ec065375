/**
 * `servingstack endpoint-test <dir>`: the post-deploy integration test of a delivery pipeline,
 * against a SageMaker endpoint (--endpoint) or a runtime URL (--url).
 */
import type { Command } from 'commander';

interface Flags {
  readonly endpoint?: string;
  readonly url?: string;
  readonly region?: string;
  readonly requests?: string;
  readonly concurrency?: string;
  readonly maxP99Ms?: string;
  readonly holdout?: string;
  readonly labelColumn?: string;
  readonly metric?: string;
  readonly accuracyTolerance?: string;
  readonly json?: boolean;
}

const num = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v));

export async function runEndpointTest(dir: string, flags: Flags): Promise<void> {
  const { httpInvoker, runIntegrationTest } = await import('../../constructs/aws/delivery/integration-test');
  const { ServingStackError } = await import('../../lib/core/errors');
  let invoker;
  if (flags.url) {
    invoker = httpInvoker(flags.url);
  } else if (flags.endpoint) {
    const { SageMakerRuntimeClient } = await import('@aws-sdk/client-sagemaker-runtime');
    const { sageMakerInvoker } = await import('../../constructs/aws/delivery/sagemaker-invoker');
    invoker = sageMakerInvoker(new SageMakerRuntimeClient({ region: flags.region }), flags.endpoint);
  } else {
    throw new ServingStackError('SS_ERR_AWS_INTEGRATION_TEST_FAILED', 'nothing to test', [{ field: '--endpoint', message: 'or --url is required', received: null, allowed: 'a SageMaker endpoint name, or a runtime base URL' }]);
  }
  const report = await runIntegrationTest(invoker, {
    packageDir: dir,
    requests: num(flags.requests),
    concurrency: num(flags.concurrency),
    maxP99LatencyMs: num(flags.maxP99Ms),
    holdoutFile: flags.holdout,
    labelColumn: flags.labelColumn,
    metric: flags.metric,
    accuracyTolerance: num(flags.accuracyTolerance),
  });
  if (flags.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  else process.stdout.write(`${report.checks.map((c) => `${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`).join('\n')}\n`);
}

export function registerEndpointTestCommand(program: Command): void {
  program
    .command('endpoint-test')
    .summary('integration-test a deployed endpoint: status, p99 latency, holdout accuracy against the manifest')
    .argument('<dir>', 'model package directory (servingstack.json; example-request.json when present)')
    .option('--endpoint <name>', 'SageMaker endpoint to invoke')
    .option('--url <url>', 'runtime base URL to POST /invocations to instead')
    .option('--region <region>', 'AWS region')
    .option('--requests <n>', 'example requests to send (default 50)')
    .option('--concurrency <n>', 'requests in flight (default 4)')
    .option('--max-p99-ms <ms>', 'highest acceptable p99 latency (default 1000)')
    .option('--holdout <file>', 'labelled holdout set: checks accuracy against the manifest lineage metric')
    .option('--label-column <name>', 'label column of the holdout (default label)')
    .option('--metric <name>', 'manifest metric to compare with (default accuracy)')
    .option('--accuracy-tolerance <x>', 'how far below the manifest metric is acceptable (default 0.02)')
    .option('--json', 'print the report as JSON')
    .action(async (dir: string, flags: Flags) => runEndpointTest(dir, flags));
}

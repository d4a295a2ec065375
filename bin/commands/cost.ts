/** `servingstack cost <synth output>`: a monthly estimate per stack and per endpoint. */
import type { Command } from 'commander';
import { asInputError, formatOption } from './review-common';

interface CostFlags {
  readonly format: 'text' | 'markdown' | 'json';
  readonly json?: boolean;
  readonly prices?: string;
  readonly traffic?: string;
}

export function registerCostCommand(program: Command): void {
  program
    .command('cost')
    .summary('estimate the monthly cost of synthesized stacks (cdk.out, cdktf.out)')
    .description(
      [
        'A monthly estimate per stack and per endpoint: instances × 730 h (autoscaling bounds as a min–max range; async endpoints may scale to zero), serverless per GB-second and data processed, data-capture and async-output storage, logs, alarms and dashboards.',
        'Prices come from the table shipped with the package (on-demand list prices, each row with its region, date, source and whether it was verified) or from --prices <file> (same schema: negotiated prices). Usage-based items need --traffic <file>: { "default": { "requestsPerMonth", "avgDurationMs", "payloadKB", "logBytesPerRequest" }, "units": { "<endpoint name>": { ... } } }.',
        'Exit codes: 0 estimate printed; 2 bad input (error SS_ERR_REVIEW_INPUT).',
      ].join('\n\n'),
    )
    .argument('<output>', 'synthesized output: cdk.out, cdktf.out, or a folder holding them')
    .addOption(formatOption())
    .option('--json', 'same as --format json')
    .option('--prices <file>', 'price table JSON (default: the shipped table)')
    .option('--traffic <file>', 'traffic profile JSON for usage-based items')
    .addHelpText('after', ['', 'Examples:', '  $ servingstack cost cdk.out', '  $ servingstack cost cdktf.out --traffic traffic.json --format markdown'].join('\n'))
    .action(async (output: string, flags: CostFlags) => {
      const review = await import('../../lib/review');
      const costs = await asInputError(() => review.estimate(review.readServingModels(output), review.loadPrices(flags.prices), review.loadTraffic(flags.traffic)));
      process.stdout.write(review.formatCost(costs, flags.json ? 'json' : flags.format));
    });
}

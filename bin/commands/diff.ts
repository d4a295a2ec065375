/**
 * `servingstack diff <before> <after>` / `servingstack diff --git <ref> [after]`: what a change
 * means for the serving stack, classified, with its monthly cost delta.
 */
import { Command, CommanderError } from 'commander';
import { formatOption, asInputError, GATE_EXIT_CODE } from './review-common';

interface DiffFlags {
  readonly git?: string;
  readonly synth: string;
  readonly format: 'text' | 'markdown' | 'json';
  readonly json?: boolean;
  readonly prices?: string;
  readonly traffic?: string;
  readonly failOn: 'gate' | 'never';
}

export const DEFAULT_SYNTH_COMMAND = 'npx tsx bin/app/synth-all.ts --run {out}';

export function registerDiffCommand(program: Command): void {
  program
    .command('diff')
    .summary('review a change of synthesized stacks in serving terms (cdk.out, cdktf.out)')
    .description(
      [
        'Compare two synthesized outputs (cdk.out cloud assemblies, cdktf.out folders, or folders holding both) per endpoint or deployment, in serving terms: instance type and count, autoscaling, rollout, alarms, model and image, traffic split, network exposure, encryption, IAM, data capture. Every change is classified as a security regression, a replacement/downtime risk, a capacity/cost change or a behaviour change; the monthly cost delta follows. Asset hashes, logical-id order and metadata are not reported.',
        `With --git <ref>, the ref is checked out in a temporary git worktree and both it and the working tree are synthesized with --synth (default: ${DEFAULT_SYNTH_COMMAND}).`,
        `Exit codes: 0 no security regression or replacement; ${GATE_EXIT_CODE} a security regression or replacement is present (unless --fail-on never); 2 bad input (error SS_ERR_REVIEW_INPUT); 1 unexpected failure.`,
      ].join('\n\n'),
    )
    .argument('[before]', 'synthesized output before the change (with --git: a folder inside the repository, default .)')
    .argument('[after]', 'synthesized output after the change')
    .option('--git <ref>', 'synthesize <ref> and the working tree, and compare them')
    .option('--synth <command>', 'synthesis command for --git, run in the tree root; {out} is the output folder', DEFAULT_SYNTH_COMMAND)
    .addOption(formatOption())
    .option('--json', 'same as --format json')
    .option('--prices <file>', 'price table JSON (default: the shipped table)')
    .option('--traffic <file>', 'traffic profile JSON for usage-based cost items')
    .option('--fail-on <when>', 'gate: exit 3 on a security regression or replacement; never: always exit 0', 'gate')
    .addHelpText('after', ['', 'Examples:', '  $ servingstack diff before/cdk.out after/cdk.out', '  $ servingstack diff --git main --format markdown > review.md', '  $ servingstack diff old/cdktf.out cdktf.out --json'].join('\n'))
    .action(async (before: string | undefined, after: string | undefined, flags: DiffFlags) => {
      const review = await import('../../lib/review');
      const format = flags.json ? 'json' : flags.format;
      const report = await asInputError(() => {
        const prices = review.loadPrices(flags.prices);
        const traffic = review.loadTraffic(flags.traffic);
        if (flags.git) {
          if (after !== undefined) throw new review.SynthOutputError('with --git give at most one folder: the working tree is synthesized');
          const sides = review.synthesizeGitRef({ cwd: before ?? process.cwd(), ref: flags.git, synthCommand: flags.synth, log: (l) => void process.stderr.write(`${l}\n`) });
          try {
            return review.reviewDiff(review.readServingModels(sides.before), review.readServingModels(sides.after), prices, traffic);
          } finally {
            sides.cleanup();
          }
        }
        if (before === undefined || after === undefined) throw new review.SynthOutputError('give two synthesized outputs (<before> <after>), or --git <ref>');
        return review.reviewDiff(review.readServingModels(before), review.readServingModels(after), prices, traffic);
      });
      process.stdout.write(review.formatDiff(report, format));
      if (report.gate && flags.failOn !== 'never') throw new CommanderError(GATE_EXIT_CODE, 'servingstack.diff.gate', 'a security regression or replacement is present');
    });
}

#!/usr/bin/env node
/**
 * CDK app of the AWS examples: `npx cdk synth` works without AWS credentials (the region
 * defaults to us-east-1), `npx cdk deploy ServingStack-RealtimeCanary` deploys one (docs/aws.md).
 *
 * Context: `-c nag=false` skips the cdk-nag packs; `-c examples=ServingStack-Async,…` selects stacks.
 */
import { App } from 'aws-cdk-lib';
import { EXAMPLES, ExampleName, addExample, defaultEnv } from './app/examples';
import { addNagPacks } from './app/nag';

const app = new App();
const selected = String(app.node.tryGetContext('examples') ?? Object.keys(EXAMPLES).join(','))
  .split(',')
  .filter((n): n is ExampleName => n in EXAMPLES);
for (const name of selected) addExample(app, name, { env: defaultEnv() });
if (String(app.node.tryGetContext('nag') ?? 'true') !== 'false') addNagPacks(app);
app.synth();

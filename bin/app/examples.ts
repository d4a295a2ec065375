/**
 * The AWS example stacks, shared by the CDK app, the tests and the synth benchmark.
 */
import { App, Environment, Stack } from 'aws-cdk-lib';
import { AbTestStack } from '../../examples/aws-ab-test/stack';
import { AsyncStack } from '../../examples/aws-async/stack';
import { DeliveryPipelineStack } from '../../examples/aws-delivery-pipeline/stack';
import { ExampleStackProps, RealtimeCanaryStack } from '../../examples/aws-realtime-canary/stack';
import { ServerlessStack } from '../../examples/aws-serverless/stack';

export const EXAMPLES = {
  'ServingStack-RealtimeCanary': RealtimeCanaryStack,
  'ServingStack-Serverless': ServerlessStack,
  'ServingStack-Async': AsyncStack,
  'ServingStack-AbTest': AbTestStack,
  'ServingStack-DeliveryPipeline': DeliveryPipelineStack,
} as const;

export type ExampleName = keyof typeof EXAMPLES;

export function addExample(app: App, name: ExampleName, props: ExampleStackProps = {}): Stack {
  const StackClass = EXAMPLES[name];
  return new StackClass(app, name, { description: `ServingStack example ${name}`, ...props });
}

/** Account and region of the CLI profile when there is one; region us-east-1 otherwise. */
export function defaultEnv(): Environment {
  return { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION ?? 'us-east-1' };
}

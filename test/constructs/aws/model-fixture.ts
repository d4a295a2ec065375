import { App, Stack } from 'aws-cdk-lib';
import { Model, ModelData } from '../../../constructs/aws';
import { FIXTURE_PACKAGE, newStack } from './helpers';

/** A stack with one model of the fixture package (not yet bound to a variant). */
export function withModel(): { app: App; stack: Stack; model: Model } {
  const { app, stack } = newStack();
  const model = new Model(stack, 'Model', { modelData: ModelData.fromAsset(FIXTURE_PACKAGE) });
  return { app, stack, model };
}

import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { ModelDecl } from '../../../scripts/lib/onnx-builder';

export const FIXTURE_PACKAGE = path.join(__dirname, 'fixtures', 'model-package');
/**
 * The ONNX model of FIXTURE_PACKAGE (`model.onnx` is `buildOnnxModel(FIXTURE_MODEL)`, checked by
 * model.test.ts): the real signature of its manifest, since synth checks the manifest against it.
 * input [N, 4] FP32 → MatMul(W [4, 2]) → Softmax → probabilities [N, 2] FP32.
 */
export const FIXTURE_MODEL: ModelDecl = {
  inputs: [{ name: 'input', datatype: 'FP32', shape: ['N', 4] }],
  outputs: [{ name: 'probabilities', datatype: 'FP32', shape: ['N', 2] }],
  nodes: [
    { opType: 'MatMul', name: 'matmul', inputs: ['input', 'W'], outputs: ['logits'] },
    { opType: 'Softmax', name: 'softmax', inputs: ['logits'], outputs: ['probabilities'], attributes: { axis: 1 } },
  ],
  initializers: [{ name: 'W', datatype: 'FP32', dims: [4, 2], values: [0.5, -0.5, -0.25, 0.25, 0.75, -0.75, -1.5, 1.5] }],
};
export const TF_PACKAGE = path.join(__dirname, 'fixtures', 'tf-package');
export const ENV = { account: '123456789012', region: 'us-east-1' };

/** A stack with a fixed environment, so nothing needs credentials. */
export function newStack(id = 'Test', region = ENV.region): { app: App; stack: Stack } {
  const app = new App();
  const stack = new Stack(app, id, { env: { account: ENV.account, region } });
  return { app, stack };
}

export function template(stack: Stack): Template {
  return Template.fromStack(stack);
}

/** The single resource of `type` (fails when there are several). */
export function onlyResource(t: Template, type: string): { Properties: Record<string, unknown>; DependsOn?: string[]; Metadata?: Record<string, unknown> } {
  const all = Object.values(t.findResources(type));
  if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
  return all[0] as { Properties: Record<string, unknown> };
}

/** Replace asset hashes, so snapshots survive a changed model file or handler. */
export function stripHashes<T>(value: T): T {
  return JSON.parse(JSON.stringify(value).replace(/[a-f0-9]{64}/g, '<hash>')) as T;
}

/** Every IAM statement of the template, flattened. */
export function statements(t: Template): Array<{ Action: string | string[]; Resource: unknown; Condition?: unknown; Sid?: string }> {
  return Object.values(t.findResources('AWS::IAM::Policy')).flatMap((p) => (p as { Properties: { PolicyDocument: { Statement: [] } } }).Properties.PolicyDocument.Statement);
}

/**
 * Synthesized examples for the review tests: each example synthesized once per suite into a base
 * folder (cdk.out + cdktf.out side by side, as `npm start` writes them), then copied and edited
 * as JSON for each known change.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { App as TerraformApp } from '../../constructs/cdktf/binding';
import { addExample } from '../../bin/app/examples';
import { buildVertexExampleApp } from '../../examples/gcp-vertex/stack';
import { OnPremGpuStack } from '../../examples/onprem-k8s-gpu/stack';

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const made: string[] = [];
/** A temporary folder removed after the suite. */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}
afterAll(() => {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

export function synthesizeExamples(): string {
  const root = tempDir('review-base-');
  const app = new App({ outdir: path.join(root, 'cdk.out') });
  addExample(app, 'ServingStack-RealtimeCanary', { env: { region: 'us-east-1' } });
  addExample(app, 'ServingStack-Serverless', { env: { region: 'us-east-1' } });
  app.synth();
  const gcp = path.join(root, 'cdktf.out', 'gcp-vertex');
  fs.mkdirSync(gcp, { recursive: true });
  buildVertexExampleApp(gcp).synth();
  const onprem = path.join(root, 'cdktf.out', 'onprem-k8s-gpu');
  fs.mkdirSync(onprem, { recursive: true });
  const tf = new TerraformApp({ outdir: onprem });
  new OnPremGpuStack(tf, 'servingstack-onprem-gpu');
  tf.synth();
  return root;
}

export const CANARY = 'cdk.out/ServingStack-RealtimeCanary.template.json';
export const SERVERLESS = 'cdk.out/ServingStack-Serverless.template.json';
export const GCP = 'cdktf.out/gcp-vertex/stacks/vertex-serving/cdk.tf.json';
export const ONPREM = 'cdktf.out/onprem-k8s-gpu/stacks/servingstack-onprem-gpu/cdk.tf.json';

/** A copy of `base` (without asset folders) with each file's JSON edited. */
export function variant(base: string, edits: Record<string, (doc: Json) => void>): string {
  const dir = tempDir('review-variant-');
  fs.cpSync(base, dir, { recursive: true, filter: (src) => !path.basename(src).startsWith('asset.') });
  for (const [file, edit] of Object.entries(edits)) {
    const p = path.join(dir, file);
    const doc = JSON.parse(fs.readFileSync(p, 'utf8')) as Json;
    edit(doc);
    fs.writeFileSync(p, JSON.stringify(doc, null, 1));
  }
  return dir;
}

/** The one resource of a type in a CloudFormation template. */
export function cfn(doc: Json, type: string, match: (id: string) => boolean = () => true): Json {
  const hits = Object.entries(doc.Resources as Json).filter(([id, r]) => r.Type === type && match(id));
  if (hits.length !== 1) throw new Error(`expected one ${type}, found ${hits.length}`);
  return hits[0][1].Properties;
}

/** The one resource of a Terraform type. */
export function tf(doc: Json, type: string): Json {
  const hits = Object.values(doc.resource[type] as Json);
  if (hits.length !== 1) throw new Error(`expected one ${type}, found ${hits.length}`);
  return hits[0];
}

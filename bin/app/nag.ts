/**
 * The compliance gate of the example app: AwsSolutions, NIST 800-53 R5 and HIPAA Security run at
 * synth (cdk-nag 3 plugs into CDK policy validation); acknowledgements are copied into the
 * templates' Metadata so reviewers see them in diffs.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks } from 'cdk-nag';

export function addNagPacks(app: App): void {
  const options = { writeSuppressionsToCloudFormation: true };
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, options), new NIST80053R5Checks(app, options), new HIPAASecurityChecks(app, options));
}

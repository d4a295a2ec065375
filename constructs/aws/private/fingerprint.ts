/** What the deploy-time model version lookup re-runs on: the stack's SageMaker resources as rendered. */
import { createHash } from 'crypto';
import { CfnResource, Stack } from 'aws-cdk-lib';
import { CfnEndpoint, CfnEndpointConfig, CfnModel } from 'aws-cdk-lib/aws-sagemaker';
import { Construct, IConstruct } from 'constructs';
import { visiblePath } from './names';

const SERVING_TYPES = [CfnModel.CFN_RESOURCE_TYPE_NAME, CfnEndpointConfig.CFN_RESOURCE_TYPE_NAME, CfnEndpoint.CFN_RESOURCE_TYPE_NAME];

/** sha256 of the resolved properties of every SageMaker model, endpoint config and endpoint of a stack. */
export function servingFingerprint(stack: Stack): string {
  const hash = createHash('sha256');
  const visit = (c: IConstruct): void => {
    if (CfnResource.isCfnResource(c) && SERVING_TYPES.includes(c.cfnResourceType) && Stack.of(c) === stack) {
      const rendered = (c as unknown as { _toCloudFormation(): Record<string, unknown> })._toCloudFormation();
      hash.update(visiblePath(c as Construct)).update(JSON.stringify(stack.resolve(rendered)));
    }
    c.node.children.forEach(visit);
  };
  visit(stack);
  return hash.digest('hex');
}


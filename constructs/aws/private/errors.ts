/**
 * Synth-time validation for the AWS constructs: collect every problem, then throw one
 * ServingStackError whose summary names the construct path, and whose issues name the
 * property, the value received and what is allowed.
 */
import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { Checker as CoreChecker } from '../../../lib/core/validation';

/** Stable error codes of the AWS target. Never reuse one. */
export const AWS_ERRORS = {
  MODEL: 'SS_ERR_AWS_MODEL_INVALID',
  ENDPOINT: 'SS_ERR_AWS_ENDPOINT_INVALID',
  DEPLOYMENT: 'SS_ERR_AWS_DEPLOYMENT_INVALID',
  SCALING: 'SS_ERR_AWS_SCALING_INVALID',
  REGISTRY: 'SS_ERR_AWS_REGISTRY_INVALID',
  MONITORING: 'SS_ERR_AWS_MONITORING_INVALID',
  MODEL_QUALITY: 'SS_ERR_AWS_MODEL_QUALITY_INVALID',
  COMPONENT: 'SS_ERR_AWS_INFERENCE_COMPONENT_INVALID',
  PACKAGE: 'SS_ERR_AWS_PACKAGE_INVALID',
  /** A GPU instance type given an image without GPU support, not explicitly allowed. */
  GPU_IMAGE: 'SS_ERR_AWS_GPU_IMAGE_UNSUPPORTED',
  /** A delivery pipeline without an approval gate in front of production. */
  PIPELINE_APPROVAL: 'SS_ERR_AWS_PIPELINE_APPROVAL_MISSING',
  /** Other delivery pipeline properties. */
  PIPELINE: 'SS_ERR_AWS_PIPELINE_INVALID',
  /** Batch transform properties. */
  BATCH_TRANSFORM: 'SS_ERR_AWS_BATCH_TRANSFORM_INVALID',
  /** `servingstack register` input (flags, the registry's model name). */
  REGISTER: 'SS_ERR_AWS_REGISTER_INVALID',
  /** The post-deploy integration test found the endpoint failing its checks. */
  INTEGRATION_TEST: 'SS_ERR_AWS_INTEGRATION_TEST_FAILED',
} as const;

/** Pattern SageMaker applies to endpoint, variant, config and model package group names. */
export const SAGEMAKER_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
export const SAGEMAKER_NAME_ALLOWED = 'letters, digits and dashes, 1–63 characters, starting and ending with a letter or digit';

/** The shared checker bound to a construct: CDK tokens are skipped; the summary names the construct path. */
export class Checker extends CoreChecker {
  constructor(scope: IConstruct, code: string, what: string) {
    super(code, `${what} at ${scope.node.path} is invalid`, (v) => Token.isUnresolved(v));
  }

  /** A SageMaker resource name. */
  public name(field: string, value: string | undefined): boolean {
    return this.pattern(field, value, SAGEMAKER_NAME, SAGEMAKER_NAME_ALLOWED, 'is not a valid SageMaker name');
  }
}

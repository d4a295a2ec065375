/**
 * The IAM actions behind every SDK call of the rollout executor, in a module without SDK imports
 * so the constructs can grant exactly these (a test follows the executor's calls against them).
 */
/** IAM actions of every SDK call the executor makes (`service:Action`; CreateModel with tags also needs AddTags). */
export const ROLLOUT_API_CALLS = {
  lookup: ['sagemaker:ListModelPackages', 'sagemaker:DescribeModelPackage'],
  rollout: [
    'sagemaker:ListModelPackages', 'sagemaker:DescribeModelPackage', 'sagemaker:DescribeEndpoint', 'sagemaker:DescribeEndpointConfig',
    'sagemaker:DescribeModel', 'sagemaker:CreateModel', 'sagemaker:AddTags', 'sagemaker:CreateEndpointConfig', 'sagemaker:UpdateEndpoint',
    'cloudwatch:DescribeAlarms',
  ],
} as const;

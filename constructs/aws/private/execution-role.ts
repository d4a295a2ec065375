import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { EMF_NAMESPACE } from '../../../lib/core/metrics-catalog';
import { acknowledgeInlinePolicy } from './nag-acknowledgements';

/** A SageMaker execution role with only what every endpoint needs (logs, metrics, VPC ENIs). */
export function createExecutionRole(scope: Construct, id: string, vpc: boolean): iam.Role {
  const role = new iam.Role(scope, id, {
    assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
    description: 'ServingStack SageMaker execution role (least privilege, no managed policies)',
  });
  grantExecutionBaseline(role, vpc);
  acknowledgeInlinePolicy(role);
  return role;
}

export function grantExecutionBaseline(role: iam.Role, vpc: boolean): void {
  const stack = Stack.of(role);
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    sid: 'EndpointLogs',
    actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
    resources: [stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '/aws/sagemaker/Endpoints/*', arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    sid: 'EndpointMetrics',
    actions: ['cloudwatch:PutMetricData'],
    resources: ['*'],
    conditions: { StringLike: { 'cloudwatch:namespace': ['/aws/sagemaker/*', EMF_NAMESPACE] } },
  }));
  if (vpc) {
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'VpcNetworkInterfaces',
      actions: [
        'ec2:CreateNetworkInterface', 'ec2:CreateNetworkInterfacePermission', 'ec2:DeleteNetworkInterface',
        'ec2:DeleteNetworkInterfacePermission', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeVpcs',
        'ec2:DescribeDhcpOptions', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups',
      ],
      resources: ['*'],
    }));
  }
}

/**
 * Application Auto Scaling's service-linked role for SageMaker (created by AWS on first use);
 * used instead of a new role so scalable targets carry no extra IAM.
 */
export function sageMakerScalingRole(scope: Construct): iam.IRole {
  const stack = Stack.of(scope);
  const id = 'ServingStackSageMakerScalingRole';
  const existing = stack.node.tryFindChild(id) as iam.IRole | undefined;
  if (existing) return existing;
  const arn = stack.formatArn({
    service: 'iam',
    region: '',
    resource: 'role',
    resourceName: 'aws-service-role/sagemaker.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint',
  });
  return iam.Role.fromRoleArn(stack, id, arn, { mutable: false });
}

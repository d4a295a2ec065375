import { IResource, RemovalPolicy, Resource, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CfnModelPackageGroup } from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';
import { deterministicName } from './private/names';
import { AwsErrorCodes } from './errors';
import { Checker } from './private/errors';

/** A SageMaker model package group (a model's version history in the registry). */
export interface IModelPackageGroup extends IResource {
  /** @attribute */
  readonly modelPackageGroupName: string;
  /** @attribute */
  readonly modelPackageGroupArn: string;
  /** ARN pattern of the group's versions, `…:model-package/<group>/*`. */
  readonly modelPackageArnPattern: string;
  /** Allow `grantee` to list and describe the group and its versions. */
  grantRead(grantee: iam.IGrantable): iam.Grant;
}

/** Properties of {@link ModelPackageGroup}. */
export interface ModelPackageGroupProps {
  /**
   * Group name.
   * @default - derived from the construct path
   */
  readonly modelPackageGroupName?: string;
  /**
   * Description.
   * @default - none
   */
  readonly description?: string;
  /**
   * AWS account IDs allowed to read the group and its versions (resource policy), e.g. the
   * production account deploying versions approved in a tooling account.
   * @default - none
   */
  readonly crossAccountReadAccounts?: readonly string[];
  /**
   * What happens to the group on stack deletion. The registry is history: keep it.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

const MODEL_PACKAGE_READ_ACTIONS = ['sagemaker:DescribeModelPackageGroup', 'sagemaker:DescribeModelPackage', 'sagemaker:ListModelPackages'];

/** A model package group, retained on stack deletion, with cross-account read grants. */
export class ModelPackageGroup extends Resource implements IModelPackageGroup {
  /** Import a group by name. */
  public static fromModelPackageGroupName(scope: Construct, id: string, modelPackageGroupName: string): IModelPackageGroup {
    class Import extends Resource implements IModelPackageGroup {
      public readonly modelPackageGroupName = modelPackageGroupName;
      public readonly modelPackageGroupArn = groupArn(this, modelPackageGroupName);
      public readonly modelPackageArnPattern = versionArnPattern(this, modelPackageGroupName);
      public grantRead(grantee: iam.IGrantable): iam.Grant {
        return grantReadOn(grantee, this);
      }
    }
    return new Import(scope, id);
  }

  public readonly modelPackageGroupName: string;
  public readonly modelPackageGroupArn: string;
  public readonly modelPackageArnPattern: string;
  public readonly resource: CfnModelPackageGroup;

  constructor(scope: Construct, id: string, props: ModelPackageGroupProps = {}) {
    const name = props.modelPackageGroupName ?? deterministicName(scope, id);
    super(scope, id, { physicalName: name });
    const checker = new Checker(this, 'ModelPackageGroup', AwsErrorCodes.REGISTRY);
    checker.name('modelPackageGroupName', name);
    (props.crossAccountReadAccounts ?? []).forEach((a, i) => {
      if (!Token.isUnresolved(a)) checker.check(/^\d{12}$/.test(a), { field: `crossAccountReadAccounts[${i}]`, message: 'is not an AWS account ID', received: a, allowed: '12 digits' });
    });
    checker.throwIfAny();
    this.modelPackageGroupName = name;
    this.modelPackageGroupArn = groupArn(this, name);
    this.modelPackageArnPattern = versionArnPattern(this, name);
    let policy: iam.PolicyDocument | undefined;
    if (props.crossAccountReadAccounts && props.crossAccountReadAccounts.length > 0) {
      policy = new iam.PolicyDocument({
        statements: [new iam.PolicyStatement({
          sid: 'CrossAccountRead',
          principals: props.crossAccountReadAccounts.map((a) => new iam.AccountPrincipal(a)),
          actions: [...MODEL_PACKAGE_READ_ACTIONS],
          resources: [this.modelPackageGroupArn, this.modelPackageArnPattern],
        })],
      });
    }
    this.resource = new CfnModelPackageGroup(this, 'Resource', {
      modelPackageGroupName: name,
      modelPackageGroupDescription: props.description,
      modelPackageGroupPolicy: policy,
    });
    this.resource.applyRemovalPolicy(props.removalPolicy ?? RemovalPolicy.RETAIN);
  }

  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return grantReadOn(grantee, this);
  }
}

function lower(name: string): string {
  return Token.isUnresolved(name) ? name : name.toLowerCase();
}

function groupArn(scope: Construct, name: string): string {
  return Stack.of(scope).formatArn({ service: 'sagemaker', resource: 'model-package-group', resourceName: lower(name) });
}

function versionArnPattern(scope: Construct, name: string): string {
  return Stack.of(scope).formatArn({ service: 'sagemaker', resource: 'model-package', resourceName: `${lower(name)}/*` });
}

function grantReadOn(grantee: iam.IGrantable, group: IModelPackageGroup): iam.Grant {
  return iam.Grant.addToPrincipal({ grantee, actions: [...MODEL_PACKAGE_READ_ACTIONS], resourceArns: [group.modelPackageGroupArn, group.modelPackageArnPattern] });
}

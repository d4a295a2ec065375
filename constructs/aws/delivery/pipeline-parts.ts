import { Duration } from 'aws-cdk-lib';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as pipelines from 'aws-cdk-lib/pipelines';

/** Where a delivery pipeline takes the model's repository from. */
export class PipelineSource {
  /** A CodeConnections connection (GitHub, GitHub Enterprise Server, Bitbucket, GitLab). */
  public static connection(repoString: string, branch: string, options: pipelines.ConnectionSourceOptions): PipelineSource {
    return new PipelineSource(pipelines.CodePipelineSource.connection(repoString, branch, options));
  }

  /** GitHub with a token (CodeConnections is preferred). */
  public static gitHub(repoString: string, branch: string, options: pipelines.GitHubSourceOptions = {}): PipelineSource {
    return new PipelineSource(pipelines.CodePipelineSource.gitHub(repoString, branch, options));
  }

  /** A zip in S3 (e.g. uploaded by another CI). */
  public static s3(bucket: s3.IBucket, objectKey: string, options: pipelines.S3SourceOptions = {}): PipelineSource {
    return new PipelineSource(pipelines.CodePipelineSource.s3(bucket, objectKey, options));
  }

  /** A CodeCommit repository. */
  public static codeCommit(repository: codecommit.IRepository, branch: string, options: pipelines.CodeCommitSourceOptions = {}): PipelineSource {
    return new PipelineSource(pipelines.CodePipelineSource.codeCommit(repository, branch, options));
  }

  private constructor(public readonly fileSet: pipelines.CodePipelineSource) {}
}

/** Options of {@link ApprovalGate.registry}. */
export interface RegistryApprovalOptions {
  /**
   * How long to wait for someone to approve the version in the registry.
   * @default Duration.hours(8)
   */
  readonly timeout?: Duration;
  /**
   * Seconds between two looks at the version's status.
   * @default 30
   */
  readonly pollSeconds?: number;
}

/** Options of {@link ApprovalGate.manual}. */
export interface ManualApprovalOptions {
  /**
   * Shown to the approver.
   * @default - names the version and the staging test
   */
  readonly comment?: string;
}

/** What the gate steps need from the pipeline. */
export interface GateContext {
  /** The version this execution registered (empty when synthesized without one). */
  readonly modelPackageArn: string;
  /** ARN pattern of the group's versions, for the steps' IAM statements. */
  readonly versionArnPattern: string;
}

/**
 * The gate in front of production. Production stages deploy only a version that is `Approved`
 * in the registry (checked again at deploy time by the stage itself), so every gate ends with the
 * version approved: a manual approval in the pipeline marks it approved; a registry gate waits for
 * someone to approve it in SageMaker (Studio, CLI, `servingstack approve`).
 */
export class ApprovalGate {
  /** A CodePipeline manual approval; on approval the version is set `Approved` in the registry. */
  public static manual(options: ManualApprovalOptions = {}): ApprovalGate {
    return new ApprovalGate('manual', (id, ctx) => [
      new pipelines.ManualApprovalStep(`${id}Approve`, { comment: options.comment ?? `Approve model package version ${ctx.modelPackageArn || '(none registered)'} after its staging integration test` }),
      new pipelines.CodeBuildStep(`${id}MarkApproved`, {
        env: { MODEL_PACKAGE_ARN: ctx.modelPackageArn },
        commands: [
          'test -n "$MODEL_PACKAGE_ARN" || { echo "no model package version was registered by this build" >&2; exit 1; }',
          'aws sagemaker update-model-package --model-package-arn "$MODEL_PACKAGE_ARN" --model-approval-status Approved --approval-description "approved in CodePipeline (manual approval)"',
        ],
        rolePolicyStatements: [new iam.PolicyStatement({ actions: ['sagemaker:UpdateModelPackage', 'sagemaker:DescribeModelPackage'], resources: [ctx.versionArnPattern] })],
      }),
    ]);
  }

  /** Wait until the version is approved in the registry; fail when it is rejected or the wait times out. */
  public static registry(options: RegistryApprovalOptions = {}): ApprovalGate {
    const timeout = options.timeout ?? Duration.hours(8);
    const poll = options.pollSeconds ?? 30;
    return new ApprovalGate('registry', (id, ctx) => [
      new pipelines.CodeBuildStep(`${id}AwaitRegistryApproval`, {
        env: { MODEL_PACKAGE_ARN: ctx.modelPackageArn, POLL_SECONDS: String(poll) },
        timeout,
        commands: [
          'test -n "$MODEL_PACKAGE_ARN" || { echo "no model package version was registered by this build" >&2; exit 1; }',
          'while :; do status=$(aws sagemaker describe-model-package --model-package-name "$MODEL_PACKAGE_ARN" --query ModelApprovalStatus --output text); echo "$MODEL_PACKAGE_ARN: $status"; case "$status" in Approved) exit 0;; Rejected) exit 1;; esac; sleep "$POLL_SECONDS"; done',
        ],
        rolePolicyStatements: [new iam.PolicyStatement({ actions: ['sagemaker:DescribeModelPackage'], resources: [ctx.versionArnPattern] })],
      }),
    ]);
  }

  private constructor(
    /** `manual` or `registry`. */
    public readonly kind: string,
    private readonly make: (id: string, ctx: GateContext) => pipelines.Step[],
  ) {}

  /** The steps of this gate for one production wave (new step objects per wave). */
  public steps(id: string, ctx: GateContext): readonly pipelines.Step[] {
    return this.make(id, ctx);
  }
}

/**
 * What a model-quality alert starts: a retraining pipeline job. Azure Monitor action groups call
 * a Logic App; the Logic App (system-assigned identity, no stored secret) invokes an Azure ML
 * batch endpoint whose deployment is your training pipeline (a pipeline component deployment,
 * learn.microsoft.com/azure/machine-learning/how-to-use-batch-pipeline-deployments), which runs
 * it as a pipeline job. The identity holds one custom role with exactly the actions Microsoft
 * lists for invoking batch endpoints (how-to-authenticate-batch-endpoint, "Configure RBAC for
 * batch endpoint invoke"), assigned on the workspace only.
 */
import { Construct } from 'constructs';
import { AzureServingStack } from './azure-serving-stack';
import type { IMlWorkspace } from './ml-workspace';
import { AzapiResource, DataAzapiResourceAction, Fn, TerraformLocal, Token } from './private/binding';
import { AzureErrorCodes, Checker, ONLINE_NAME } from './private/errors';
import { BuiltInRole, grantRole } from './role-assignment';

export interface BatchEndpointRetrainingOptions {
  /** Name of the batch endpoint (in the serving workspace) whose deployment is the training pipeline. */
  readonly endpointName: string;
  /**
   * The batch deployment to run (the `azureml-model-deployment` header).
   * @default - the endpoint's default deployment
   */
  readonly deploymentName?: string;
  /**
   * Literal inputs of the pipeline job (names the pipeline component declares).
   * @default - none
   */
  readonly inputs?: { readonly [name: string]: string };
  /**
   * A literal input that receives the name of the alert rule that fired (e.g. `trigger`).
   * @default - none
   */
  readonly alertRuleInput?: string;
}

/** The Logic App, its callback and the grant a bound trigger made. */
export interface BoundRetrainingTrigger {
  readonly workflow: AzapiResource;
  /** The HTTP trigger's callback URL (a SAS URL: in the Terraform state, redacted in plans). */
  readonly callbackUrl: string;
}

/**
 * Actions an identity needs to invoke a batch endpoint and create its job (Microsoft's list in
 * how-to-authenticate-batch-endpoint, "Configure RBAC for batch endpoint invoke").
 */
export const BATCH_INVOKE_ACTIONS: readonly string[] = [
  'workspaces/read', 'workspaces/data/versions/write', 'workspaces/datasets/registered/read', 'workspaces/datasets/registered/write',
  'workspaces/datasets/unregistered/read', 'workspaces/datasets/unregistered/write', 'workspaces/datastores/read', 'workspaces/datastores/write',
  'workspaces/datastores/listsecrets/action', 'workspaces/listStorageAccountKeys/action', 'workspaces/batchEndpoints/read',
  'workspaces/batchEndpoints/deployments/read', 'workspaces/computes/read', 'workspaces/computes/listKeys/action', 'workspaces/metadata/secrets/read',
  'workspaces/metadata/snapshots/read', 'workspaces/metadata/artifacts/read', 'workspaces/metadata/artifacts/write', 'workspaces/experiments/read',
  'workspaces/experiments/runs/submit/action', 'workspaces/experiments/runs/read', 'workspaces/experiments/runs/write', 'workspaces/metrics/resource/write',
  'workspaces/modules/read', 'workspaces/models/read', 'workspaces/endpoints/pipelines/read', 'workspaces/endpoints/pipelines/write',
  'workspaces/environments/read', 'workspaces/environments/write', 'workspaces/environments/build/action', 'workspaces/environments/readSecrets/action',
].map((a) => `Microsoft.MachineLearningServices/${a}`);

/** Token audience of Azure ML batch endpoints (how-to-authenticate-batch-endpoint). */
export const BATCH_ENDPOINT_AUDIENCE = 'https://ml.azure.com';

/** What a model-quality alert (drift, accuracy, concept drift) starts. */
export class RetrainingTrigger {
  /**
   * Run an Azure ML pipeline job by invoking a batch endpoint with a pipeline component
   * deployment, through a Logic App the action group calls on `Fired` (not on `Resolved`).
   */
  public static batchEndpoint(options: BatchEndpointRetrainingOptions): RetrainingTrigger {
    return new RetrainingTrigger('batch endpoint pipeline job', options);
  }

  private constructor(
    /** What kind of target this is (for descriptions). */
    public readonly kind: string,
    private readonly options: BatchEndpointRetrainingOptions,
  ) {}

  /** @internal Create the Logic App, its identity's role and the callback URL the action group calls. */
  public _bind(scope: Construct, workspace: IMlWorkspace, namePrefix: string): BoundRetrainingTrigger {
    const stack = AzureServingStack.of(scope);
    const o = this.options;
    const c = new Checker(AzureErrorCodes.MONITORING, `RetrainingTrigger at ${scope.node.path} is invalid`, (v) => Token.isUnresolved(v));
    c.pattern('retraining.endpointName', o.endpointName, ONLINE_NAME, 'a batch endpoint name: begins with a letter, 3–32 letters, digits and single dashes');
    c.pattern('retraining.deploymentName', o.deploymentName, /^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$/, 'a batch deployment name');
    for (const name of [...Object.keys(o.inputs ?? {}), ...(o.alertRuleInput ? [o.alertRuleInput] : [])]) {
      c.pattern(`retraining.inputs.${name}`, name, /^[A-Za-z_][A-Za-z0-9_]{0,254}$/, 'a pipeline input name: letters, digits and _, not starting with a digit');
    }
    c.check(o.alertRuleInput === undefined || !(o.alertRuleInput in (o.inputs ?? {})), { field: 'retraining.alertRuleInput', message: 'is also a literal input', received: o.alertRuleInput, allowed: 'a name not in inputs' });
    c.throwIfAny();

    const inputData: Record<string, { JobInputType: 'Literal'; Value: string }> = {};
    for (const [k, v] of Object.entries(o.inputs ?? {})) inputData[k] = { JobInputType: 'Literal', Value: v };
    // Workflow Definition Language: `@{…}` interpolates the alert's rule name into the value.
    if (o.alertRuleInput) inputData[o.alertRuleInput] = { JobInputType: 'Literal', Value: "@{triggerBody()?['data']?['essentials']?['alertRule']}" };
    const scoringUri = `https://${o.endpointName}.${stack.location}.inference.ml.azure.com/jobs`;
    const definition = {
      $schema: 'https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#',
      contentVersion: '1.0.0.0',
      parameters: {},
      triggers: {
        alert: {
          type: 'Request',
          kind: 'Http',
          // The common alert schema; only the fields read below are declared.
          inputs: { schema: { type: 'object', properties: { data: { type: 'object', properties: { essentials: { type: 'object', properties: { alertRule: { type: 'string' }, monitorCondition: { type: 'string' } } } } } } } },
          // One retraining job at a time, however many alerts fire together.
          runtimeConfiguration: { concurrency: { runs: 1 } },
        },
      },
      actions: {
        on_fired: {
          type: 'If',
          expression: { and: [{ equals: ["@triggerBody()?['data']?['essentials']?['monitorCondition']", 'Fired'] }] },
          actions: {
            start_pipeline_job: {
              type: 'Http',
              inputs: {
                method: 'POST',
                uri: scoringUri,
                headers: { 'Content-Type': 'application/json', ...(o.deploymentName ? { 'azureml-model-deployment': o.deploymentName } : {}) },
                body: { properties: { InputData: inputData } },
                authentication: { type: 'ManagedServiceIdentity', audience: BATCH_ENDPOINT_AUDIENCE },
              },
              runAfter: {},
            },
          },
          else: { actions: {} },
          runAfter: {},
        },
      },
      outputs: {},
    };
    const workflow = stack.resource(scope, 'RetrainingWorkflow', 'logicAppWorkflow', {
      name: `${namePrefix}-retrain`,
      parentId: stack.resourceGroupId,
      location: stack.location,
      identity: { type: 'SystemAssigned' },
      body: { properties: { state: 'Enabled', definition, parameters: {} } },
      responseExportValues: ['identity.principalId'],
    });
    // A custom role with only the batch-invoke actions, assignable in the workspace's resource group, assigned on the workspace.
    const rg = `/subscriptions/${workspace.subscriptionId}/resourceGroups/${workspace.resourceGroupName}`;
    // A local, so the assignment's own uuidv5 name references it instead of nesting a function call.
    const roleGuid = new TerraformLocal(scope, 'RetrainingRoleGuid', Fn.uuidv5('url', `${workspace.workspaceId}/servingstack-batch-endpoint-invoker`)).asString;
    const role = stack.resource(scope, 'RetrainingRole', 'roleDefinition', {
      name: roleGuid,
      parentId: rg,
      body: {
        properties: {
          roleName: `ServingStack batch endpoint invoker (${namePrefix}, ${workspace.workspaceName})`,
          description: 'Invoke Azure ML batch endpoints and create their jobs (servingstack retraining trigger)',
          type: 'CustomRole',
          permissions: [{ actions: BATCH_INVOKE_ACTIONS, notActions: [], dataActions: [], notDataActions: [] }],
          assignableScopes: [rg],
        },
      },
    });
    grantRole(scope, 'RetrainingInvokesBatchEndpoint', {
      scopeId: workspace.workspaceId,
      principalId: workflow.output('identity.principalId'),
      role: BuiltInRole.of('ServingStack batch endpoint invoker', roleGuid),
      dependsOn: [role],
    });
    const callback = new DataAzapiResourceAction(scope, 'RetrainingCallback', {
      type: `Microsoft.Logic/workflows/triggers@${stack.apiVersionOf('logicAppWorkflow')}`,
      resourceId: `${workflow.id}/triggers/alert`,
      action: 'listCallbackUrl',
      sensitiveResponseExportValues: ['value'],
    });
    return { workflow, callbackUrl: callback.sensitiveOutput('value') };
  }
}

import { Construct } from 'constructs';
import { AzureServingStack } from './azure-serving-stack';
import { KeyVaultSecretBody } from './azapi/bodies';
import { IMlWorkspace } from './ml-workspace';
import { AzapiResource, Fn, Token } from './private/binding';
import { AzureErrorCodes, Checker } from './private/errors';
import { BuiltInRole, grantRole } from './role-assignment';

export interface FeedbackKeyProps {
  /** The workspace whose Key Vault holds the key (`IMlWorkspace.keyVaultId`). */
  readonly workspace: IMlWorkspace;
  /** Object ID of the identity the deployments run as (reads the secret at container start). */
  readonly readerPrincipalId: string;
  /**
   * Name of the Key Vault secret.
   * @default 'servingstack-feedback-key'
   */
  readonly secretName?: string;
}

const SECRET_NAME = /^[0-9A-Za-z-]{1,127}$/;

/**
 * The HMAC key with which the runtime signs and checks feedback tokens (issue 15: labels on the
 * scoring route), kept as a secret in the workspace Key Vault and handed to deployments by
 * reference: `SERVINGSTACK_FEEDBACK_KEY = ${{keyvault:<secret URI with version>}}`, which Azure ML
 * resolves with the endpoint's identity when it starts the container (secret injection, a preview
 * feature of managed online endpoints). The synthesized JSON holds the Terraform expression that
 * makes the value (random at apply time), never the value; the value is in the Terraform state,
 * as every secret Terraform creates is. The secret is written once: `ignore_changes = [body]`
 * keeps the first value (rotate with `terraform apply -replace`).
 */
export class FeedbackKey extends Construct {
  public readonly resource: AzapiResource<KeyVaultSecretBody>;
  /** Role assignment letting the deployments' identity read this secret (deployments depend on it). */
  public readonly grant: AzapiResource;
  /** The value to set `SERVINGSTACK_FEEDBACK_KEY` to: a secret-injection reference, not the key. */
  public readonly environmentReference: string;

  constructor(scope: Construct, id: string, props: FeedbackKeyProps) {
    super(scope, id);
    const stack = AzureServingStack.of(this);
    const secretName = props.secretName ?? 'servingstack-feedback-key';
    const c = new Checker(AzureErrorCodes.IDENTITY, `FeedbackKey at ${this.node.path} is invalid`, (v) => Token.isUnresolved(v));
    c.check(props.workspace.keyVaultId !== undefined, {
      field: 'workspace.keyVaultId', message: 'is needed to keep the feedback key', received: undefined,
      allowed: 'a workspace created by MlWorkspace, or MlWorkspace.fromWorkspaceAttributes with keyVaultId (or turn feedbackKey off)',
    });
    c.pattern('secretName', secretName, SECRET_NAME, '1-127 letters, digits and dashes');
    c.throwIfAny();
    // Two uuid()s without dashes: 64 hex characters, 244 random bits, made by Terraform at apply.
    const value = Fn.join('', [Fn.replace(Fn.uuid(), '-', ''), Fn.replace(Fn.uuid(), '-', '')]);
    this.resource = stack.resource(this, 'Secret', 'keyVaultSecret', {
      name: secretName,
      parentId: props.workspace.keyVaultId!,
      body: { properties: { value, contentType: 'servingstack feedback token HMAC key (hex)', attributes: { enabled: true } } },
      responseExportValues: ['properties.secretUriWithVersion'],
      lifecycle: { ignoreChanges: ['body'] },
    });
    this.grant = grantRole(this, 'ReaderReadsSecret', {
      scopeId: this.resource.id,
      principalId: props.readerPrincipalId,
      role: BuiltInRole.KEY_VAULT_SECRETS_USER,
    });
    // cdktf escapes the literal `${` as `$${` (Terraform's escape): Azure ML, not Terraform, resolves it.
    this.environmentReference = Fn.join('', ['${{keyvault:', this.resource.output('properties.secretUriWithVersion'), '}}']);
  }
}

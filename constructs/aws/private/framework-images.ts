/** AWS Deep Learning Containers: which repository serves a model format, and which account holds it per region. */
import { CfnMapping, Stack, Token } from 'aws-cdk-lib';
import { ModelFormat } from '../../../lib/core/manifest';

/**
 * AWS Deep Learning Container registry accounts per region (from the SageMaker Python SDK's
 * image_uri_config); every region not listed uses 763104351884.
 */
const DLC_ACCOUNTS: Readonly<Record<string, string>> = {
  'af-south-1': '626614931356',
  'ap-east-1': '871362719292',
  'ap-south-2': '772153158452',
  'ap-southeast-3': '907027046896',
  'ap-southeast-4': '457447274322',
  'ca-west-1': '204538143572',
  'cn-north-1': '727897471807',
  'cn-northwest-1': '727897471807',
  'eu-central-2': '380420809688',
  'eu-south-1': '692866216735',
  'eu-south-2': '503227376785',
  'il-central-1': '780543022126',
  'me-central-1': '914824155844',
  'me-south-1': '217643126080',
  'us-gov-east-1': '446045086412',
  'us-gov-west-1': '442386744353',
};
const DEFAULT_DLC_ACCOUNT = '763104351884';
const DLC_REGIONS = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'sa-east-1', 'eu-west-1', 'eu-west-2', 'eu-west-3',
  'eu-central-1', 'eu-north-1', 'ap-south-1', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-southeast-1', 'ap-southeast-2',
  ...Object.keys(DLC_ACCOUNTS),
];

export const FRAMEWORKS: Partial<Record<ModelFormat, { repository: string; version: string; suffix: string }>> = {
  'tensorflow-savedmodel': { repository: 'tensorflow-inference', version: '2.16.1', suffix: '' },
  'pytorch-torchscript': { repository: 'pytorch-inference', version: '2.5.1', suffix: '-py311' },
};

/** The DLC account of the stack's region; a CfnMapping when the region is a token. */
export function dlcAccount(stack: Stack): string {
  if (!Token.isUnresolved(stack.region)) return DLC_ACCOUNTS[stack.region] ?? DEFAULT_DLC_ACCOUNT;
  const id = 'ServingStackDlcAccounts';
  const mapping = (stack.node.tryFindChild(id) as CfnMapping | undefined) ?? new CfnMapping(stack, id, {
    mapping: Object.fromEntries(DLC_REGIONS.map((r) => [r, { account: DLC_ACCOUNTS[r] ?? DEFAULT_DLC_ACCOUNT }])),
  });
  return mapping.findInMap(stack.region, 'account');
}

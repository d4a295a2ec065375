/**
 * The cdktf template reader, imported from one place (it lives with the GCP tests today and may
 * move to test/support/: change this line only).
 */
export { TerraformTemplate, matches } from '../../../support/terraform-template';

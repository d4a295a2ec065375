/** Secrets made by Terraform at apply time (one implementation for every cdktf target). */
export { randomToken } from '../../cdktf/random-token';

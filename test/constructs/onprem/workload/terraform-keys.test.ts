import { toTerraformKeys } from '../../../../constructs/onprem/workload/terraform-keys';

test('schema keys become snake_case; keys of label maps stay as written; undefined is dropped', () => {
  expect(toTerraformKeys([{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: [{ matchLabels: { 'app.kubernetes.io/name': 'fraud', myLabel: 'x' } }], unset: undefined }])).toEqual([
    { max_skew: 1, topology_key: 'kubernetes.io/hostname', when_unsatisfiable: 'ScheduleAnyway', label_selector: [{ match_labels: { 'app.kubernetes.io/name': 'fraud', myLabel: 'x' } }] },
  ]);
  expect(toTerraformKeys({ namespaceSelector: [{ matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }] })).toEqual({ namespace_selector: [{ match_labels: { 'kubernetes.io/metadata.name': 'monitoring' } }] });
});

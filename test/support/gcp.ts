/** A fresh GCP stack for tests (project demo-project, region us-central1 unless told otherwise). */
import { Testing } from '../../constructs/cdktf/binding';
import { VertexServingStack, VertexServingStackProps } from '../../constructs/gcp';

export function newGcpStack(props: Partial<VertexServingStackProps> = {}): VertexServingStack {
  return new VertexServingStack(Testing.app(), 'S', { project: 'demo-project', region: 'us-central1', ...props });
}

/** The rule that a GPU instance type gets an image with GPU support (Model, EndpointConfig and ServingEndpoint apply it). */
import { ServingStackError, ValidationIssue } from '../../../lib/core/errors';
import type { ContainerImageConfig } from '../container-image';
import { AwsErrorCodes } from '../errors';

/** The problem with serving `image` on `instanceType` (a GPU type), named under `field`. */
export function gpuImageIssue(field: string, image: ContainerImageConfig, instanceType?: string, note = ''): ValidationIssue {
  return {
    field,
    message: `has no GPU support${instanceType ? ` but serves on ${instanceType}` : ''}: the model would fall back to the CPU${note}`,
    received: image.isServingStackRuntime ? `the CPU runtime image (Dockerfile): ${image.imageUri}` : image.imageUri,
    allowed: 'a GPU image (ContainerImage.fromRuntimeAsset({ gpu: true }), the default for GPU instance types; a framework image with gpu: true; ContainerImage.fromImageUri(uri, { gpuSupport: true })), or allowCpuImageOnGpu: true',
  };
}

/** The error for an image without GPU support on GPU instances. */
export function gpuImageError(path: string, issue: ValidationIssue): ServingStackError {
  return new ServingStackError(AwsErrorCodes.GPU_IMAGE, `${path}: a GPU instance type would run an image without GPU support`, [issue]);
}

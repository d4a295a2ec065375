/**
 * onnxruntime-node 1.x and Node's built-in `Float16Array` (global from Node 24/26): onnxruntime-common
 * picks `Float16Array` for FP16 tensors when the global exists, and the native binding does not
 * read that typed array (it sees 0 bytes: "not enough space: expected 12, got 0"). Before any tensor
 * is made, the thread that runs ONNX Runtime hides the global, so FP16 data travels as `Uint16Array`
 * (IEEE half bits), as on Node 20. Call it first in every thread or process that loads onnxruntime-node.
 */
export function hideFloat16ArrayFromOrt(): void {
  if ('Float16Array' in globalThis) Reflect.deleteProperty(globalThis, 'Float16Array');
}

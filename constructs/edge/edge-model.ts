import * as fs from 'node:fs';
import * as path from 'node:path';
import { ServingStackError } from '../../lib/core/errors';
import type { ModelManifest } from '../../lib/core/manifest';
import { loadModelPackageSync } from '../../lib/core/model-package';
import { EDGE_ERRORS } from './private/errors';

function bytesOf(dir: string): number {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.')) continue;
    const p = path.join(dir, e.name);
    total += fs.statSync(p).isDirectory() ? bytesOf(p) : fs.statSync(p).size;
  }
  return total;
}

/** The model an edge component serves. */
export abstract class EdgeModel {
  /**
   * A local ONNX model package directory (`servingstack.json` + model), validated at synth as
   * `servingstack package` validates it, and shipped as a ZIP artifact that Greengrass unpacks on
   * the device. `servingstack optimize` makes a smaller, quantized package for constrained devices.
   */
  public static fromPackage(directory: string): EdgeModel {
    return new PackageEdgeModel(directory);
  }

  public abstract readonly directory: string;
  public abstract readonly manifest: ModelManifest;
  /** Size of the model file (what each inference session loads). */
  public abstract readonly modelBytes: number;
  /** Size of the whole package (what the device stores). */
  public abstract readonly packageBytes: number;
}

class PackageEdgeModel extends EdgeModel {
  public readonly directory: string;
  public readonly manifest: ModelManifest;
  public readonly modelBytes: number;
  public readonly packageBytes: number;

  constructor(directory: string) {
    super();
    // Errors of the package itself surface as lib/core raises them (SS_ERR_PACKAGE_INVALID, SS_ERR_SIGNATURE_MISMATCH…).
    const pkg = loadModelPackageSync(directory);
    if (pkg.manifest.format !== 'onnx') {
      throw new ServingStackError(EDGE_ERRORS.PACKAGE, `${directory} cannot run on an edge device`, [
        { field: 'format', message: 'the edge runtime runs ONNX models only (onnxruntime-node)', received: pkg.manifest.format, allowed: 'onnx' },
      ]);
    }
    this.directory = pkg.dir;
    this.manifest = pkg.manifest;
    this.modelBytes = fs.statSync(pkg.modelPath).size;
    this.packageBytes = bytesOf(pkg.dir);
  }
}

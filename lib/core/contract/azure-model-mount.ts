/**
 * Where Azure Machine Learning puts a registered model inside a managed online deployment, and the
 * one rule the Azure blueprint and the runtime share to find the model package in it.
 *
 * Azure mounts model `<name>` version `<version>` read-only at
 * `/var/azureml-app/azureml-models/<name>/<version>` and sets `AZUREML_MODEL_DIR` to that folder; a
 * model registered from a folder keeps the folder's name below it (learn.microsoft.com/azure/
 * machine-learning/how-to-deploy-custom-container, "Locating the mounted model"). The Azure
 * blueprint registers the package folder `…/models/<name>/<version>/package`, so the package
 * (the folder holding `servingstack.json`) is one level below `AZUREML_MODEL_DIR`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ServingStackError } from '../errors';
import { MANIFEST_FILE } from '../manifest';

/** Azure ML's model mount and the package folder inside it. */
export class AzureModelMount {
  /** Where Azure mounts registered models in a managed online deployment. */
  public static readonly ROOT = '/var/azureml-app/azureml-models';
  /** The folder the Azure blueprint uploads a package as (the registered model's folder name). */
  public static readonly PACKAGE_FOLDER = 'package';

  /** The mount of model `name` version `version`: what Azure sets `AZUREML_MODEL_DIR` to. */
  public static mountDir(name: string, version: string): string {
    return `${AzureModelMount.ROOT}/${name}/${version}`;
  }

  /** The package directory of a model the Azure blueprint registered: `<mount>/package`. */
  public static packageDir(name: string, version: string): string {
    return `${AzureModelMount.mountDir(name, version)}/${AzureModelMount.PACKAGE_FOLDER}`;
  }

  /**
   * The package directory under an Azure model mount: `dir` itself when it holds
   * `servingstack.json`, else its one subdirectory that does (dot-folders ignored). Anything else
   * (no such directory, no package below it, several) throws `SS_ERR_PACKAGE_INVALID` naming
   * `field`, what was found and what is allowed. Reads the directory listing only.
   */
  public static resolvePackageDir(dir: string, field = 'AZUREML_MODEL_DIR'): string {
    const fail = (message: string, received: unknown): never => {
      throw new ServingStackError('SS_ERR_PACKAGE_INVALID', `${field} holds no single model package`, [
        { field, message, received, allowed: `a directory holding ${MANIFEST_FILE}, or holding exactly one folder that does (Azure mounts a folder model at <mount>/<folder>)` },
      ]);
    };
    if (!isDirectory(dir)) return fail('is not a directory', dir);
    if (isFile(path.join(dir, MANIFEST_FILE))) return dir;
    const entries = fs.readdirSync(dir).filter((n) => !n.startsWith('.')).sort();
    const packages = entries.filter((n) => isDirectory(path.join(dir, n)) && isFile(path.join(dir, n, MANIFEST_FILE)));
    if (packages.length === 1) return path.join(dir, packages[0]!);
    if (packages.length > 1) return fail('holds several model packages', packages);
    return fail(`holds no ${MANIFEST_FILE}, nor a folder holding one`, entries);
  }

  private constructor() {}
}

function isDirectory(p: string): boolean {
  return fs.statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

function isFile(p: string): boolean {
  return fs.statSync(p, { throwIfNoEntry: false })?.isFile() ?? false;
}

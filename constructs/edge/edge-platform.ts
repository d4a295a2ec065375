/**
 * The device platforms a component can target: Greengrass' `os` and `architecture` platform
 * attributes, and the onnxruntime-node binaries that run there.
 */

/** Why a Greengrass platform cannot run the ServingStack runtime, by `os/architecture`. */
const UNSUPPORTED: Readonly<Record<string, string>> = {
  'linux/arm': 'onnxruntime-node 1.30 ships no 32-bit ARM (armv7l) binaries',
  'linux/x86': 'onnxruntime-node 1.30 ships no 32-bit x86 binaries',
  'darwin/amd64': 'onnxruntime-node 1.30 ships no Intel macOS binaries (darwin/x64 was dropped in 1.24)',
  'darwin/aarch64': 'the component\'s lifecycle targets Linux core devices (systemd service, POSIX scripts); macOS is not a supported Greengrass core platform',
  'windows/amd64': 'the component\'s lifecycle scripts are POSIX shell; Windows core devices are not supported',
  'windows/x86': 'onnxruntime-node 1.30 ships no 32-bit x86 binaries',
  'windows/aarch64': 'the component\'s lifecycle scripts are POSIX shell; Windows core devices are not supported',
};

/**
 * A Greengrass core device platform. Supported: `linux` on `amd64` (x86_64) and `aarch64`
 * (64-bit ARM), the Linux builds onnxruntime-node ships. Anything else can be named with
 * {@link EdgePlatform.of} and is refused at synth with the reason.
 */
export class EdgePlatform {
  /** 64-bit x86 Linux (Greengrass `architecture: amd64`; Node/ONNX Runtime `x64`). */
  public static readonly LINUX_X86_64 = new EdgePlatform('linux', 'amd64');
  /** 64-bit ARM Linux (Greengrass `architecture: aarch64`; Node/ONNX Runtime `arm64`), e.g. Raspberry Pi 4/5 with a 64-bit OS, Jetson. */
  public static readonly LINUX_AARCH64 = new EdgePlatform('linux', 'aarch64');

  /** Every platform the runtime supports. */
  public static readonly ALL: readonly EdgePlatform[] = [EdgePlatform.LINUX_X86_64, EdgePlatform.LINUX_AARCH64];

  /** Any Greengrass `os`/`architecture` pair; unsupported ones fail at synth (SS_ERR_EDGE_PLATFORM_UNSUPPORTED). */
  public static of(os: string, architecture: string): EdgePlatform {
    const known = EdgePlatform.ALL.find((p) => p.os === os && p.architecture === architecture);
    return known ?? new EdgePlatform(os, architecture);
  }

  private constructor(
    /** Greengrass `Platform.os`. */
    public readonly os: string,
    /** Greengrass `Platform.architecture`. */
    public readonly architecture: string,
  ) {}

  /** `linux/amd64`. */
  public get key(): string {
    return `${this.os}/${this.architecture}`;
  }

  /** Whether the runtime can run there. */
  public get supported(): boolean {
    return EdgePlatform.ALL.some((p) => p.key === this.key);
  }

  /** Why not, for unsupported platforms. */
  public get unsupportedReason(): string | undefined {
    if (this.supported) return undefined;
    return UNSUPPORTED[this.key] ?? `no Greengrass platform ${this.key} is known to run onnxruntime-node`;
  }

  /** Node.js `process.arch` (and onnxruntime-node's binary folder) on this platform. */
  public get nodeArch(): string {
    return this.architecture === 'amd64' ? 'x64' : this.architecture === 'aarch64' ? 'arm64' : this.architecture;
  }

  /** `uname -m` on this platform. */
  public get machine(): string {
    return this.architecture === 'amd64' ? 'x86_64' : this.architecture;
  }

  public toString(): string {
    return this.key;
  }
}

export const SUPPORTED_PLATFORMS_TEXT = 'EdgePlatform.LINUX_X86_64 (linux/amd64) | EdgePlatform.LINUX_AARCH64 (linux/aarch64)';

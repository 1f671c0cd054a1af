import { FormatError } from '../errors.js';

/**
 * The paths an archive has written so far, so that an entry needing a written file as its folder
 * (`x` then `x/y`), or a file where a folder was written (`x/` then `x`), fails with a FormatError
 * naming both entries instead of a raw EISDIR / ENOTDIR from the file system.
 */
export class EntryTree {
  private readonly kinds = new Map<string, 'file' | 'directory'>();

  constructor(private readonly archive: string) {}

  /** Records an entry (segments of its path), or throws when it conflicts with an earlier one. */
  add(segs: readonly string[], kind: 'file' | 'directory', offset?: number): void {
    const path = segs.join('/');
    for (let i = 1; i < segs.length; i++) {
      const parent = segs.slice(0, i).join('/');
      if (this.kinds.get(parent) === 'file') {
        throw new FormatError(`entry "${path}" needs "${parent}" as a folder, but the archive wrote "${parent}" as a file before`, { file: this.archive, offset });
      }
      this.kinds.set(parent, 'directory');
    }
    const earlier = this.kinds.get(path);
    if (earlier !== undefined && earlier !== kind) {
      throw new FormatError(`entry "${path}" is a ${kind}, but the archive wrote "${path}" as a ${earlier} before`, { file: this.archive, offset });
    }
    this.kinds.set(path, kind);
  }
}

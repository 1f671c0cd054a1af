// Archive entry names come from the archive, i.e. from whoever made it: '../' or an absolute
// path would write outside the target folder (zip-slip). Only plain relative paths pass.
import { UnsafeArchivePathError } from '../errors.js';

/** Returns the entry's path segments, or throws naming the archive and the entry. */
export function safeEntrySegments(name: string, archive: string): string[] {
  const unified = name.replace(/\\/g, '/');
  if (unified.startsWith('/') || /^[A-Za-z]:/.test(unified) || unified.includes('\0')) {
    throw new UnsafeArchivePathError(`entry "${name}" has an absolute path; refusing to extract it`, { file: archive });
  }
  const out: string[] = [];
  for (const seg of unified.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length === 0) throw new UnsafeArchivePathError(`entry "${name}" escapes the target folder; refusing to extract it`, { file: archive });
      out.pop();
    } else out.push(seg);
  }
  return out;
}

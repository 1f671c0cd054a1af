// AEDAT files open with ASCII lines starting with '#'. Returns where the binary part starts.

const HASH = 0x23;
const LF = 0x0a;
const END_MARKERS = ['#!END-HEADER', '#End Of ASCII Header'];

export interface AsciiHeader {
  lines: string[];
  /** Offset of the first binary byte. */
  end: number;
  /** False while more bytes are needed to see the end of the header. */
  complete: boolean;
}

export function readAsciiHeader(bytes: Uint8Array, final = true): AsciiHeader {
  const lines: string[] = [];
  let pos = 0;
  while (pos < bytes.length && bytes[pos] === HASH) {
    let nl = bytes.indexOf(LF, pos);
    if (nl < 0) {
      if (!final) return { lines, end: pos, complete: false };
      nl = bytes.length - 1;
    }
    const line = new TextDecoder('latin1').decode(bytes.subarray(pos, nl + 1)).replace(/\r?\n$/, '');
    lines.push(line);
    pos = nl + 1;
    if (END_MARKERS.some((m) => line.startsWith(m))) return { lines, end: pos, complete: true };
  }
  const complete = final || pos < bytes.length;
  return { lines, end: pos, complete };
}

// Every bad input ends in one of these, so callers can tell a corrupt file from a bug and the
// message always says which file (and where in it) the problem is.

export interface DatasetErrorOptions {
  /** File, URL or logical name of the input that was bad. */
  file?: string;
  /** Byte offset in `file` where the problem was found. */
  offset?: number;
  cause?: unknown;
}

function compose(message: string, opts: DatasetErrorOptions): string {
  const where = opts.file === undefined ? '' : `${opts.file}: `;
  const at = opts.offset === undefined ? '' : ` (at byte offset ${opts.offset})`;
  return `${where}${message}${at}`;
}

/** Base class of all errors thrown by @spikeflow/datasets. */
export class DatasetError extends Error {
  readonly file?: string;
  readonly offset?: number;
  constructor(message: string, opts: DatasetErrorOptions = {}) {
    super(compose(message, opts), opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.file = opts.file;
    this.offset = opts.offset;
  }
}

/** The bytes do not follow the file format (bad magic, truncated, inconsistent header). */
export class FormatError extends DatasetError {}

/** An event lies outside the sensor (x >= width or y >= height). */
export class EventRangeError extends FormatError {}

/** Images and labels disagree (count or shape). */
export class MismatchError extends DatasetError {}

/** A downloaded or cached file does not have the expected digest. */
export class ChecksumError extends DatasetError {}

/** The HTTP transfer failed (status, timeout, reset). */
export class DownloadError extends DatasetError {}

/** The host could not be reached at all: most likely no network. */
export class OfflineError extends DownloadError {}

/** An archive entry would be written outside the target folder (zip-slip). */
export class UnsafeArchivePathError extends DatasetError {}

/** An optional package that a fallback needs is not installed. */
export class MissingDependencyError extends DatasetError {}

/** No copy of the dataset was found in any of the places searched. */
export class DatasetNotFoundError extends DatasetError {}

/** A caller passed an option that cannot work (e.g. T < 1). */
export class OptionError extends DatasetError {}

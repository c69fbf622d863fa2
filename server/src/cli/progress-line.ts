/** Least time between two redraws of a progress line. */
const REDRAW_MS = 200;

/** What a progress line shows. */
export interface Progress {
  /** Rows so far. */
  rows: number;
  /** Seconds since the start. */
  seconds: number;
  /** Share of the work done, 0 to 1, when the total is known. */
  fraction?: number | undefined;
}

/**
 * A progress line on a terminal (stderr by default), redrawn in place with `\r` at most every 200 ms and erased
 * by {@link done}. Does nothing when the stream is not a TTY, so that logs and pipes get no control characters.
 */
export class ProgressLine {
  /** True when the line is drawn at all: the stream is a terminal. */
  readonly enabled: boolean;
  private readonly startedAt = Date.now();
  private drawnAt = 0;
  private drawn = false;

  /** `verb` says what happens to the rows: "sent", "received". */
  constructor(
    private readonly verb = "sent",
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.enabled = stream.isTTY === true;
  }

  /**
   * Redraws the line for `rows` rows so far, and `fraction` of the work done when known, unless it was drawn
   * less than 200 ms ago.
   */
  update(rows: number, fraction?: number): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.drawnAt < REDRAW_MS) return;
    this.drawnAt = now;
    this.stream.write(`\r\x1b[K${formatProgress({ rows, seconds: (now - this.startedAt) / 1000, fraction }, this.verb)}`);
    this.drawn = true;
  }

  /** Erases the line, if drawn. */
  done(): void {
    if (this.drawn) this.stream.write("\r\x1b[K");
    this.drawn = false;
  }
}

/**
 * The text of a progress line: `1,200,000 rows sent, 42%, 400,000 rows/s, 3.0 s, ETA 4 s`; the percent and the
 * estimated time left (at the rate so far) only when the share done is known.
 */
export function formatProgress({ rows, seconds, fraction }: Progress, verb = "sent"): string {
  const rate = seconds > 0 ? Math.round(rows / seconds) : 0;
  const parts = [`${formatCount(rows)} rows ${verb}`];
  const known = fraction !== undefined && Number.isFinite(fraction) && fraction >= 0;
  const share = known ? Math.min(fraction, 1) : 0;
  if (known) parts.push(`${Math.floor(share * 100)}%`);
  parts.push(`${formatCount(rate)} rows/s`, `${seconds.toFixed(1)} s`);
  if (known && share > 0 && share < 1) parts.push(`ETA ${formatDuration((seconds * (1 - share)) / share)}`);
  return parts.join(", ");
}

function formatDuration(seconds: number): string {
  const s = Math.ceil(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, "0")} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")} min`;
}

function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}

/** Least time between two redraws of a progress line. */
const REDRAW_MS = 200;

/**
 * A progress line on a terminal (stderr by default), redrawn in place with `\r` at most every 200 ms and erased
 * by {@link done}. Does nothing when the stream is not a TTY, so that logs and pipes get no control characters.
 */
export class ProgressLine {
  private readonly enabled: boolean;
  private readonly startedAt = Date.now();
  private drawnAt = 0;
  private drawn = false;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {
    this.enabled = stream.isTTY === true;
  }

  /** Redraws the line for `rows` rows sent so far, unless it was drawn less than 200 ms ago. */
  update(rows: number): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.drawnAt < REDRAW_MS) return;
    this.drawnAt = now;
    const seconds = (now - this.startedAt) / 1000;
    const rate = seconds > 0 ? Math.round(rows / seconds) : 0;
    this.stream.write(`\r\x1b[K${formatCount(rows)} rows sent, ${formatCount(rate)} rows/s, ${seconds.toFixed(1)} s`);
    this.drawn = true;
  }

  /** Erases the line, if drawn. */
  done(): void {
    if (this.drawn) this.stream.write("\r\x1b[K");
    this.drawn = false;
  }
}

function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}

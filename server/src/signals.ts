/** What {@link handleSignals} does on each signal. */
export interface SignalActions {
  /** SIGTERM or SIGINT: stop gracefully (calls in flight finish, the store is released). Called once. */
  onStop(signal: NodeJS.Signals): void;
  /** SIGTERM or SIGINT again during the stop: cancel what still runs. Called once at most. */
  onForceStop(signal: NodeJS.Signals): void;
  /** SIGHUP: reload what can be reloaded without a restart. Node would terminate on SIGHUP without a handler. */
  onReload(): void;
}

/**
 * A repeat of the stop signal sooner than this after the first is taken for the same request: `npm start` forwards
 * the SIGTERM or SIGINT its process group received (Ctrl-C, `kill -- -PGID`), so the daemon gets it twice at once.
 */
export const REPEAT_SIGNAL_WINDOW_MS = 1000;

/**
 * Installs the daemon's signal handlers: SIGTERM/SIGINT stop it, a repeat during a slow stop forces it, SIGHUP
 * reloads. Returns the function that removes them.
 */
export function handleSignals(actions: SignalActions): () => void {
  let stopAt: number | undefined;
  let forced = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopAt === undefined) {
      stopAt = Date.now();
      actions.onStop(signal);
    } else if (!forced && Date.now() - stopAt >= REPEAT_SIGNAL_WINDOW_MS) {
      forced = true;
      actions.onForceStop(signal);
    }
  };
  const reload = () => actions.onReload();
  process.on("SIGTERM", stop).on("SIGINT", stop).on("SIGHUP", reload);
  return () => {
    process.off("SIGTERM", stop).off("SIGINT", stop).off("SIGHUP", reload);
  };
}

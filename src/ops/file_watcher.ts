/**
 * Notices changes to the signer's files. Kubernetes updates a mounted Secret by swapping a
 * `..data` symlink in the volume's folder, which changes no watched file in place, so the folders
 * are watched, not the files; a periodic re-check covers file systems without change events.
 *
 * @module
 */

/** Options for {@linkcode watchFiles}. */
export interface WatchOptions {
  /** Re-check this often even without events, ms (0: never). */
  intervalMs: number;
  /** Events closer together than this are handled once, ms. @default 250 */
  debounceMs?: number;
}

/**
 * Calls `onChange` after changes in the folders of `paths`, and every `intervalMs`.
 *
 * @param paths the files to watch
 * @param onChange called with the cause ("file change" or "interval"); never concurrently
 * @param options timing
 * @returns a function that stops watching
 */
export function watchFiles(
  paths: string[],
  onChange: (cause: string) => Promise<void>,
  options: WatchOptions,
): () => void {
  const folders = [...new Set(paths.map((p) => p.replace(/\/[^/]*$/, "") || "/"))];
  let running: Promise<void> | undefined;
  let pending: string | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const run = (cause: string) => {
    if (running) {
      pending = cause;
      return;
    }
    running = onChange(cause).catch(() => {}).finally(() => {
      running = undefined;
      const next = pending;
      pending = undefined;
      if (next) run(next);
    });
  };
  const watchers: Deno.FsWatcher[] = [];
  for (const folder of folders) {
    try {
      const watcher = Deno.watchFs(folder, { recursive: false });
      watchers.push(watcher);
      (async () => {
        for await (const _event of watcher) {
          clearTimeout(timer);
          timer = setTimeout(() => run("file change"), options.debounceMs ?? 250);
        }
      })().catch(() => {});
    } catch {
      // The folder may not exist yet or be unwatchable; the interval still covers it.
    }
  }
  const interval = options.intervalMs > 0
    ? setInterval(() => run("interval"), options.intervalMs)
    : undefined;
  return () => {
    for (const watcher of watchers) watcher.close();
    clearInterval(interval);
    clearTimeout(timer);
  };
}

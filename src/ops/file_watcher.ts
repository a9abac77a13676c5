/**
 * Notices changes to the signer's files. Kubernetes updates a mounted Secret by swapping a
 * `..data` symlink in the volume's folder, which changes no watched file in place, so the folders
 * are watched, not the files; a periodic re-check covers file systems without change events.
 *
 * Only events that can change what the signer reads count: a watched file's name, or a `..`
 * entry of a Kubernetes volume, being created, modified, renamed or removed. Reads ("access"
 * events) and other files in the same folder are ignored, so a log file written beside the
 * signer's files (the systemd layout) cannot set off a reload per log line.
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
  const names = new Set(paths.map(baseName));
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
        for await (const event of watcher) {
          if (!isRelevant(event, names)) continue;
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

/**
 * Whether an event can change a watched file: not a read, and about a watched name or a
 * Kubernetes volume's `..data` / `..<timestamp>` entries.
 *
 * @param event the file system event
 * @param names the watched files' base names
 * @returns true when a reload should follow
 */
export function isRelevant(event: Deno.FsEvent, names: ReadonlySet<string>): boolean {
  if (event.kind === "access") return false;
  return event.paths.some((path) => {
    const name = baseName(path);
    return names.has(name) || name.startsWith("..");
  });
}

function baseName(path: string): string {
  return path.replace(/\/+$/, "").replace(/^.*\//, "");
}

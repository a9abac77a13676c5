/**
 * A folder laid out the way kubelet mounts a Kubernetes Secret: each file is a symlink through
 * `..data`, which points at a timestamped folder; an update writes a new folder and swaps `..data`
 * with one atomic rename. Reloading from such a mount is what the signer must get right.
 *
 * @module
 */

let generation = 0;

/**
 * Writes (or atomically replaces) the volume's files.
 *
 * @param dir the mount folder
 * @param files file name to content
 * @param mode file mode; kubelet's `defaultMode`
 */
export async function writeSecretVolume(
  dir: string,
  files: Record<string, string>,
  mode = 0o400,
): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  const version = `..${new Date().toISOString().replace(/[-:.]/g, "_")}_${generation++}`;
  await Deno.mkdir(`${dir}/${version}`);
  for (const [name, content] of Object.entries(files)) {
    await Deno.writeTextFile(`${dir}/${version}/${name}`, content, { mode });
    await Deno.chmod(`${dir}/${version}/${name}`, mode);
  }
  await Deno.symlink(version, `${dir}/..data_tmp`);
  await Deno.rename(`${dir}/..data_tmp`, `${dir}/..data`);
  for (const name of Object.keys(files)) {
    try {
      await Deno.symlink(`..data/${name}`, `${dir}/${name}`);
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
    }
  }
}

import { checkSecretFilePermissions } from "../../../src/config/key_permissions.ts";
import { assertEquals, assertMatch } from "../../support/assert.ts";

Deno.test("checkSecretFilePermissions() accepts owner-only files and platforms without modes", () => {
  assertEquals(
    checkSecretFilePermissions({ mode: 0o100600, kubernetesSecretMount: false }),
    undefined,
  );
  assertEquals(
    checkSecretFilePermissions({ mode: 0o100400, kubernetesSecretMount: true }),
    undefined,
  );
  assertEquals(checkSecretFilePermissions({ mode: null, kubernetesSecretMount: false }), undefined);
});

Deno.test("checkSecretFilePermissions() refuses group/other-readable files, with the fix", () => {
  assertMatch(
    checkSecretFilePermissions({ mode: 0o100640, kubernetesSecretMount: false })!,
    /mode 0640\); chmod 600 the file, or set ALLOW_INSECURE_KEY_PERMISSIONS=true/,
  );
  assertMatch(
    checkSecretFilePermissions({ mode: 0o100644, kubernetesSecretMount: true })!,
    /Kubernetes Secret mount: set defaultMode: 0400/,
  );
});

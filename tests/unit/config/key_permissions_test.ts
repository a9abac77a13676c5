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
    checkSecretFilePermissions({
      mode: 0o100640,
      kubernetesSecretMount: false,
      gid: 5,
      processGid: 6,
    })!,
    /mode 0640\); chmod 600 the file \(or 640 with the signer's own group\), or set ALLOW_INSECURE_KEY_PERMISSIONS=true/,
  );
  assertMatch(
    checkSecretFilePermissions({ mode: 0o100644, kubernetesSecretMount: true })!,
    /Kubernetes Secret mount: set defaultMode: 0440 on the Secret volume and the pod's fsGroup/,
  );
});

Deno.test("checkSecretFilePermissions() accepts group-readable files of the signer's own group, never other-readable ones", () => {
  assertEquals(
    checkSecretFilePermissions({
      mode: 0o100440,
      kubernetesSecretMount: true,
      gid: 65532,
      processGid: 65532,
    }),
    undefined,
  );
  assertMatch(
    checkSecretFilePermissions({
      mode: 0o100444,
      kubernetesSecretMount: true,
      gid: 65532,
      processGid: 65532,
    })!,
    /mode 0444/,
  );
});

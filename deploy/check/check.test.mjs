// The checker's own tests: what deploy/ holds passes, and each kind of mistake it exists to catch fails.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { checkCompose, checkKustomization, checkObject } from "./check.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const fixture = (name) => join(here, "fixtures", name);

function deployment(container) {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "d", labels: { "any.label/key": "v" } },
    spec: {
      selector: { matchLabels: { app: "d" } },
      template: {
        metadata: { labels: { app: "d" } },
        spec: {
          containers: [{
            name: "c",
            image: "i",
            readinessProbe: { httpGet: { path: "/health", port: "http", scheme: "HTTP" } },
            livenessProbe: { httpGet: { path: "/alive", port: 8080, scheme: "HTTP" } },
            resources: { requests: { cpu: "500m", memory: "256Mi" } },
            env: [{ name: "POD", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }],
            ...container,
          }],
        },
      },
    },
  };
}

test("every overlay, the base and the compose file pass", () => {
  const run = spawnSync("node", [join(here, "check.mjs")], { encoding: "utf8" });
  assert.equal(run.stderr, "");
  assert.equal(run.status, 0);
});

test("a misspelt field fails the check", async () => {
  assert.deepEqual(await checkKustomization(fixture("misspelt-field")), [
    `${relativeFixture("misspelt-field")}: Deployment/misspelt: unknown field spec.template.spec.containers[0].readinesProbe`,
    `${relativeFixture("misspelt-field")}: Deployment/misspelt: container api has no readinessProbe`,
  ]);
});

test("a lower-case probe scheme fails the check", async () => {
  assert.deepEqual(await checkKustomization(fixture("lowercase-scheme")), [
    `${relativeFixture("lowercase-scheme")}: Deployment/lowercase-scheme: data/spec/template/spec/containers/0/readinessProbe/httpGet/scheme must be equal to one of the allowed values`,
  ]);
});

test("the command exits 1 on a broken fixture", () => {
  const run = spawnSync("node", [join(here, "check.mjs"), "--kustomize", fixture("lowercase-scheme")], { encoding: "utf8" });
  assert.equal(run.status, 1);
  assert.match(run.stdout, /^deploy check: 1 problems$/m);
});

test("unknown fields are found at every depth, and map keys are free", async () => {
  assert.deepEqual(await checkObject(deployment({}), "t"), []);
  const deep = deployment({ env: [{ name: "POD", valueFrom: { fieldRef: { fieldPath: "metadata.name", apiVersio: "v1" } } }] });
  deep.metadata.labelz = {};
  assert.deepEqual(await checkObject(deep, "t"), [
    "t: Deployment/d: unknown field metadata.labelz",
    "t: Deployment/d: unknown field spec.template.spec.containers[0].env[0].valueFrom.fieldRef.apiVersio",
  ]);
  const policy = {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: "p" },
    spec: { podSelector: {}, ingress: [{ from: [{ podSelectr: {} }] }] },
  };
  assert.deepEqual(await checkObject(policy, "t"), ["t: NetworkPolicy/p: unknown field spec.ingress[0].from[0].podSelectr"]);
});

test("a kind the checker does not know fails", async () => {
  assert.deepEqual(await checkObject({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } }, "t"),
    ["t: Widget/w: example.com/v1 Widget is not a Kubernetes kind this checker knows"]);
});

test("a compose file with an unknown key fails", () => {
  const problems = checkCompose(fixture("compose-unknown-key.yaml"));
  assert.equal(problems.length, 1);
  assert.match(problems[0], /enviroment/);
});

function relativeFixture(name) {
  return execFileSync("realpath", ["--relative-to", process.cwd(), fixture(name)], { encoding: "utf8" }).trim();
}

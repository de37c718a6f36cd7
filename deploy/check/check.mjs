// Checks what deploy/ would apply, with no cluster: renders every kustomization (`kubectl kustomize`), validates each
// object against the Kubernetes schemas of kubernetes-models, rejects every field those schemas do not know (the
// schemas themselves let unknown fields through, and so would a typo such as `readinesProbe`), and validates each
// compose file (`docker-compose config -q`).
//
//   node check.mjs                        every overlay under deploy/overlays, the base, and deploy/compose/*.yaml
//   node check.mjs --kustomize DIR ...    only these kustomizations
//   node check.mjs --compose FILE ...     only these compose files
//
// Prints one line per problem and exits 1 if there is any.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

const here = dirname(fileURLToPath(import.meta.url));
const deployRoot = resolve(here, "..");
const modelsRoot = join(here, "node_modules");

/** Property lists of the models' TypeScript declarations, the one place kubernetes-models spells out every field. */
const declarations = new Map();

function declarationOf(file) {
  if (!declarations.has(file)) {
    declarations.set(file, parseDeclaration(file));
  }
  return declarations.get(file);
}

/** The first interface of a model's .d.ts: each property's type, and where each imported type is declared. */
function parseDeclaration(file) {
  if (!existsSync(file)) {
    return null;
  }
  const text = readFileSync(file, "utf8").replace(/\/\*\*[\s\S]*?\*\//g, "");
  const imports = new Map();
  for (const [, names, from] of text.matchAll(/import \{([^}]*)\} from "([^"]+)";/g)) {
    for (const name of names.split(",").map((n) => n.trim()).filter(Boolean)) {
      imports.set(name, resolveImport(file, from));
    }
  }
  const body = /export interface \w+(?: extends [\w, ]+)? \{\n([\s\S]*?)\n\}/.exec(text);
  if (!body) {
    return null; // A type alias (IntOrString, Quantity, Time): a leaf.
  }
  // A property starts on a line indented four spaces; a map type's braces go on over the deeper lines below it.
  const entries = [];
  for (const line of body[1].split("\n").filter((l) => l.trim() !== "")) {
    if (/^ {4}"/.test(line)) {
      entries.push(line.trim());
    } else if (entries.length > 0) {
      entries[entries.length - 1] += ` ${line.trim()}`;
    }
  }
  const properties = new Map();
  for (const entry of entries) {
    const [, name, type] = /^"([^"]+)"\??: (.*);$/.exec(entry) ?? [];
    if (name) {
      properties.set(name, parseType(type));
    }
  }
  return { properties, imports };
}

function resolveImport(file, from) {
  if (from.startsWith(".")) {
    return join(dirname(file), from.replace(/\.js$/, ".d.ts"));
  }
  return join(modelsRoot, `${from.replace(/\.js$/, "")}.d.ts`);
}

/** `Array<T>`, `{ [key: string]: T; }`, a model's interface name, or anything else (a leaf the schema checks). */
function parseType(type) {
  const array = /^Array<(.*)>$/.exec(type);
  if (array) {
    return { kind: "array", item: parseType(array[1]) };
  }
  const map = /^\{ \[key: string\]: (.*?);? \}$/.exec(type);
  if (map) {
    return { kind: "map", value: parseType(map[1]) };
  }
  if (/^I[A-Z]\w*$/.test(type)) {
    return { kind: "model", name: type };
  }
  return { kind: "leaf" };
}

/** Every path in `value` that the declaration of `file` (and those it refers to) does not name. */
function unknownFields(value, file, path, found) {
  const declaration = declarationOf(file);
  if (!declaration || value === null || typeof value !== "object" || Array.isArray(value)) {
    return found;
  }
  for (const [key, child] of Object.entries(value)) {
    const type = declaration.properties.get(key);
    if (!type) {
      found.push(`${path}.${key}`);
      continue;
    }
    walk(child, type, declaration, `${path}.${key}`, found);
  }
  return found;
}

function walk(value, type, declaration, path, found) {
  if (type.kind === "array" && Array.isArray(value)) {
    value.forEach((item, index) => walk(item, type.item, declaration, `${path}[${index}]`, found));
  } else if (type.kind === "map" && value && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      walk(item, type.value, declaration, `${path}.${key}`, found);
    }
  } else if (type.kind === "model") {
    const file = declaration.imports.get(type.name);
    if (file) {
      unknownFields(value, file, path, found);
    }
  }
}

/** The model class and its declaration for an apiVersion and kind: core `v1` lives under `v1/`, groups under `group/version/`. */
async function modelOf(apiVersion, kind) {
  const base = join(modelsRoot, "kubernetes-models", apiVersion, kind);
  if (!/^[\w.\-/]+$/.test(`${apiVersion}/${kind}`) || !existsSync(`${base}.js`)) {
    return null;
  }
  const module = await import(`kubernetes-models/${apiVersion}/${kind}`);
  return { Model: module[kind], declaration: `${base}.d.ts` };
}

/** Every problem of one rendered object, named by its kind and name. */
export async function checkObject(object, source) {
  const name = `${source}: ${object?.kind ?? "?"}/${object?.metadata?.name ?? "?"}`;
  if (!object?.apiVersion || !object?.kind) {
    return [`${name}: no apiVersion or kind`];
  }
  const model = await modelOf(object.apiVersion, object.kind);
  if (!model) {
    return [`${name}: ${object.apiVersion} ${object.kind} is not a Kubernetes kind this checker knows`];
  }
  const problems = [];
  try {
    new model.Model(object).validate();
  } catch (error) {
    problems.push(`${name}: ${error.message.split("\n").join("; ")}`);
  }
  for (const field of unknownFields(object, model.declaration, "", [])) {
    problems.push(`${name}: unknown field ${field.slice(1)}`);
  }
  problems.push(...houseRules(object).map((rule) => `${name}: ${rule}`));
  return problems;
}

/** What the schemas allow but SpikeApp's services need: a long-running container says when it is ready and alive. */
function houseRules(object) {
  if (!["Deployment", "StatefulSet"].includes(object.kind)) {
    return [];
  }
  const problems = [];
  for (const container of object.spec?.template?.spec?.containers ?? []) {
    for (const probe of ["readinessProbe", "livenessProbe"]) {
      if (!container[probe]) {
        problems.push(`container ${container.name} has no ${probe}`);
      }
    }
  }
  return problems;
}

/** Parses kubectl's or a file's YAML stream into objects; a YAML error is a problem too. */
export function parseObjects(text, source) {
  const objects = [];
  const problems = [];
  for (const document of parseAllDocuments(text)) {
    if (document.errors.length > 0) {
      problems.push(`${source}: ${document.errors.map((e) => e.message).join("; ")}`);
    } else if (document.contents !== null) {
      objects.push(document.toJS());
    }
  }
  return { objects, problems };
}

export async function checkKustomization(directory) {
  const source = relative(process.cwd(), directory) || ".";
  let rendered;
  try {
    rendered = execFileSync("kubectl", ["kustomize", directory], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    return [`${source}: kubectl kustomize failed: ${(error.stderr || error.message).trim()}`];
  }
  const { objects, problems } = parseObjects(rendered, source);
  if (objects.length === 0) {
    problems.push(`${source}: renders no object`);
  }
  const seen = new Set();
  for (const object of objects) {
    const id = `${object.kind}/${object.metadata?.namespace ?? ""}/${object.metadata?.name}`;
    if (seen.has(id)) {
      problems.push(`${source}: ${object.kind}/${object.metadata?.name} twice`);
    }
    seen.add(id);
    problems.push(...(await checkObject(object, source)));
  }
  return problems;
}

/** `docker-compose config -q`, with a stand-in for each `${NAME:?...}` the file requires, so only the file is judged. */
export function checkCompose(file) {
  const source = relative(process.cwd(), file);
  const required = [...readFileSync(file, "utf8").matchAll(/\$\{(\w+):\?/g)].map((match) => match[1]);
  const env = { ...process.env, ...Object.fromEntries(required.map((name) => [name, "check-placeholder"])) };
  try {
    execFileSync("docker-compose", ["-f", file, "config", "-q"], { env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    return [];
  } catch (error) {
    return [`${source}: docker-compose config failed: ${(error.stderr || error.message).trim().split("\n").join("; ")}`];
  }
}

function defaultTargets() {
  const overlays = join(deployRoot, "overlays");
  const kustomize = [
    join(deployRoot, "base"),
    ...readdirSync(overlays, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(overlays, e.name)),
  ];
  const composeDir = join(deployRoot, "compose");
  const compose = readdirSync(composeDir).filter((f) => /\.ya?ml$/.test(f)).map((f) => join(composeDir, f));
  return { kustomize, compose };
}

function parseArguments(argv) {
  if (argv.length === 0) {
    return defaultTargets();
  }
  const targets = { kustomize: [], compose: [] };
  let list = null;
  for (const argument of argv) {
    if (argument === "--kustomize") {
      list = targets.kustomize;
    } else if (argument === "--compose") {
      list = targets.compose;
    } else if (list) {
      list.push(resolve(argument));
    } else {
      throw new Error(`usage: node check.mjs [--kustomize DIR ...] [--compose FILE ...]; got '${argument}'`);
    }
  }
  return targets;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const targets = parseArguments(process.argv.slice(2));
  const problems = [];
  for (const directory of targets.kustomize) {
    problems.push(...(await checkKustomization(directory)));
  }
  for (const file of targets.compose) {
    problems.push(...checkCompose(file));
  }
  for (const problem of problems) {
    console.error(problem);
  }
  const checked = targets.kustomize.length + targets.compose.length;
  console.log(problems.length === 0 ? `deploy check: ${checked} targets, no problem` : `deploy check: ${problems.length} problems`);
  process.exitCode = problems.length === 0 ? 0 : 1;
}

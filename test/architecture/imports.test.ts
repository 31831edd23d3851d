import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, test } from "node:test";

/**
 * The import rules of ARCHITECTURE.md, read from the code: every relative
 * import of every file under src/ (type-only ones too), then two checks.
 * A new circle or a new arrow up fails here, naming the files.
 */
const root = resolve(import.meta.dirname, "../..");
const src = join(root, "src");

function sourceFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith(".ts") && !name.endsWith(".test.ts") && !name.endsWith(".d.ts") ? [path] : [];
  });
}

const importPatterns = [
  /^\s*(?:import|export)\s[^;]*?\bfrom\s*["']([^"']+)["']/gm,
  /^\s*import\s*["']([^"']+)["']/gm,
  /\bimport\(\s*["']([^"']+)["']\s*\)/g,
];

/** file (relative to src/, with .ts) → the src files it imports. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(src)) {
    const text = readFileSync(file, "utf8");
    const targets = new Set<string>();
    for (const pattern of importPatterns) {
      for (const match of text.matchAll(pattern)) {
        const specifier = match[1]!;
        if (!specifier.startsWith(".")) continue;
        targets.add(relative(src, resolve(dirname(file), specifier.replace(/\.js$/, ".ts"))));
      }
    }
    graph.set(relative(src, file), [...targets]);
  }
  return graph;
}

/** Tarjan's strongly connected components of more than one file, or a file importing itself. */
function circles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (file: string) => {
    index.set(file, next);
    low.set(file, next);
    next++;
    stack.push(file);
    onStack.add(file);
    for (const target of graph.get(file) ?? []) {
      if (!graph.has(target)) continue;
      if (!index.has(target)) {
        visit(target);
        low.set(file, Math.min(low.get(file)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(file, Math.min(low.get(file)!, index.get(target)!));
      }
    }
    if (low.get(file) === index.get(file)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== file);
      if (component.length > 1 || (graph.get(file) ?? []).includes(file)) found.push(component.sort());
    }
  };
  for (const file of [...graph.keys()].sort()) if (!index.has(file)) visit(file);
  return found;
}

/**
 * Which part of src/ a file belongs to, and the parts it may import
 * (ARCHITECTURE.md "Layers"). Anything else is an arrow up or sideways.
 */
function partOf(file: string): string {
  const [first] = file.split("/");
  if (file === "config.ts" || file === "config-env.ts" || file === "config-messaging.ts" || file === "config-operations.ts" || file === "config-oidc.ts" || file === "config-network.ts") return "config";
  if (file === "server.ts" || file === "serve.ts") return "entry";
  return file.includes("/") ? first! : file.replace(/\.ts$/, "");
}

const mayImport: Record<string, readonly string[]> = {
  "node-version": [],
  domain: ["domain"],
  security: ["security"],
  config: ["config", "security"],
  store: ["store", "domain"],
  services: ["services", "domain", "security", "store", "config"],
  gateways: ["gateways", "services", "config"],
  bootstrap: ["services", "domain", "security", "store", "gateways", "config"],
  http: ["http", "services"],
  cli: ["cli", "services", "bootstrap", "config", "node-version"],
  operations: ["operations", "bootstrap", "services", "store", "domain", "config"],
  entry: ["entry", "http", "operations", "services", "bootstrap", "config", "node-version"],
};

describe("imports of src/ (ARCHITECTURE.md)", () => {
  const graph = importGraph();

  test("the graph is read: every file is seen and relative imports resolve to files of src/", () => {
    assert.ok(graph.size > 200, `only ${graph.size} files read`);
    const unresolved = [...graph].flatMap(([file, targets]) => targets.filter((target) => !graph.has(target) && !target.endsWith(".json")).map((target) => `${file} -> ${target}`));
    assert.deepEqual(unresolved, []);
  });

  test("no import circles, type-only imports included", () => {
    assert.deepEqual(circles(graph), []);
  });

  test("no arrow up: each part imports only the parts below it", () => {
    const arrowsUp = [...graph].flatMap(([file, targets]) => {
      const part = partOf(file);
      const allowed = mayImport[part];
      assert.ok(allowed, `${file}: part "${part}" has no rule in this test; add it (and to ARCHITECTURE.md)`);
      return targets.filter((target) => graph.has(target) && !allowed.includes(partOf(target))).map((target) => `${file} -> ${target}`);
    });
    assert.deepEqual(arrowsUp, []);
  });

  test("the checks find what they look for (a circle and an arrow up made on purpose)", () => {
    const planted = new Map(graph);
    planted.set("domain/model.ts", [...(graph.get("domain/model.ts") ?? []), "domain/errors.ts"]);
    planted.set("domain/errors.ts", [...(graph.get("domain/errors.ts") ?? []), "domain/model.ts"]);
    assert.ok(circles(planted).some((circle) => circle.includes("domain/model.ts") && circle.includes("domain/errors.ts")));
    assert.equal(mayImport[partOf("http/app.ts")]!.includes(partOf("domain/model.ts")), false);
    assert.equal(mayImport[partOf("domain/model.ts")]!.includes(partOf("services/deps.ts")), false);
  });
});

/**
 * A node:test reporter beside TAP (scripts/test.sh passes both): one JSON line per test file
 * with the time its top-level tests and suites took, summed (a file's tests run one after
 * another). `node scripts/slowest-files.ts LOG…` prints the slowest files of a run from these.
 */
import type { TestEvent } from "node:test/reporters";

export default async function* fileTimes(source: AsyncIterable<TestEvent>): AsyncGenerator<string> {
  const millisecondsByFile = new Map<string, number>();
  for await (const event of source) {
    if (event.type !== "test:pass" && event.type !== "test:fail") continue;
    const { file, nesting, details } = event.data;
    if (nesting !== 0 || !file) continue;
    millisecondsByFile.set(file, (millisecondsByFile.get(file) ?? 0) + (details.duration_ms ?? 0));
  }
  for (const [file, milliseconds] of millisecondsByFile) yield JSON.stringify({ file, milliseconds: Math.round(milliseconds) }) + "\n";
}

/** Where a command writes its lines: stdout in `twostep …`, an array in tests. */
export interface CommandIo {
  out(line: string): void;
}

/** One `twostep <name>` command: its arguments after the name, the exit code it ends with. */
export type Command = (args: string[], io: CommandIo) => Promise<number>;

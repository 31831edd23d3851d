import { parseArgs } from "node:util";
import { errorMessage } from "../services/failures.js";
import type { AccountKind, Role } from "../services/model.js";
import { createAccount, createUser, findAccountByName } from "../services/access/users.js";
import type { CommandIo } from "./command-io.js";
import { withRuntime } from "./runtime.js";

const roles: Role[] = ["admin", "member", "support"];
const kinds: AccountKind[] = ["platform", "reseller", "customer"];

/** users:create — the first platform user, a reseller admin, or anyone else. Creates the account if it is new. */
export async function usersCreateCommand(args: string[], io: CommandIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      email: { type: "string" },
      password: { type: "string" },
      account: { type: "string", default: "twostep platform" },
      role: { type: "string" },
      kind: { type: "string" },
      parent: { type: "string" },
    },
    strict: true,
  });
  if (!values.email || !values.password) {
    io.out("users:create needs --email and --password");
    return 2;
  }
  const role = (values.role ?? "admin") as Role;
  if (!roles.includes(role)) {
    io.out(errorMessage("invalid_role"));
    return 2;
  }
  const kind = values.kind as AccountKind | undefined;
  if (kind && !kinds.includes(kind)) {
    io.out("--kind must be platform, reseller or customer");
    return 2;
  }
  return withRuntime(async ({ deps }) => {
    let account = await findAccountByName(deps, values.account!);
    if (!account) {
      const parent = values.parent ? await findAccountByName(deps, values.parent) : undefined;
      if (values.parent && !parent) {
        io.out(`No account is named "${values.parent}".`);
        return 2;
      }
      account = await createAccount(deps, { name: values.account!, kind: kind ?? (parent ? (parent.kind === "platform" ? "reseller" : "customer") : "platform"), parentId: parent?.id ?? null });
      io.out(`Created ${account.kind} account "${account.name}".`);
    }
    const result = await createUser(deps, { accountId: account.id, email: values.email!, password: values.password!, role }, { clientAddress: null, userAgent: "twostep cli" });
    if (!result.ok) {
      io.out(errorMessage(result.code));
      return 2;
    }
    io.out(`Created ${result.user.role} ${result.user.email} in "${account.name}".`);
    return 0;
  });
}

import type { PolicyDeps } from "./deps.js";
import { fail, type Result } from "../../domain/errors.js";
import type { Account } from "../../domain/model.js";
import { emptyPolicyLayer, resolvePolicy, type EffectivePolicy, type PolicyAudience, type PolicyLayer } from "../../domain/policy.js";
import { applyLevelInput, changedFields, coveredKind, policyLevelsAbove, type PolicyField, type PolicyLevelInput } from "../../domain/policy-levels.js";
import { policyAudiencesFor } from "../../domain/two-factor-requirement.js";
import { authorize, requireStepUp, type Actor } from "../access/access.js";
import { newEventId } from "../events/audit.js";
import type { RequestContext } from "../deps.js";
export type { PolicyLevelInput } from "../../domain/policy-levels.js";

/** A level above the one shown: whose it is, and what it sets itself (null fields inherit further up). */
export interface LevelAbove {
  accountName: string;
  accountKind: Account["kind"];
  audience: PolicyAudience;
  layer: PolicyLayer;
}

/** One level an admin may set: its own values, what it inherits, and the policy its users end up with. */
export interface PolicyLevel {
  audience: PolicyAudience;
  layer: PolicyLayer;
  above: LevelAbove[];
  /** The policy the levels above (and the defaults) give, before this level. */
  inherited: EffectivePolicy;
  /** What users directly under this level get: inherited + this level. */
  effective: EffectivePolicy;
}

async function accountOrNull(deps: PolicyDeps, id: string | null): Promise<Account | null> {
  return id ? ((await deps.store.accounts.findAccountById(id)) ?? null) : null;
}

/** The audiences this admin may set, after the access table agrees (a denial is an `access.denied` event). */
async function manageableAudiences(deps: PolicyDeps, actor: Actor, context: RequestContext): Promise<Result<{ audiences: PolicyAudience[] }>> {
  const audiences = policyAudiencesFor(actor.user.role, actor.account.kind);
  const denied = await authorize(deps, actor, "policy.manage", { account: actor.account }, context);
  if (!denied.ok) return denied;
  return audiences.length === 0 ? fail("forbidden") : { ok: true, audiences };
}

async function levelOf(deps: PolicyDeps, account: Account, audience: PolicyAudience): Promise<PolicyLevel> {
  const parent = await accountOrNull(deps, account.parentId);
  const grandparent = await accountOrNull(deps, parent?.parentId ?? null);
  const aboveKeys = policyLevelsAbove(account, parent, grandparent, audience);
  const above: LevelAbove[] = [];
  for (const key of aboveKeys) {
    const owner = key.accountId === parent?.id ? parent : key.accountId === grandparent?.id ? grandparent : account;
    const [layer] = await deps.store.accounts.findPolicyLayers([key]);
    above.push({ accountName: owner.name, accountKind: owner.kind, audience: key.audience, layer: layer ?? emptyPolicyLayer });
  }
  const [own] = await deps.store.accounts.findPolicyLayers([{ accountId: account.id, audience }]);
  const layer = own ?? emptyPolicyLayer;
  const kind = coveredKind(account.kind, audience);
  const aboveLayers = above.map((level) => level.layer);
  return { audience, layer, above, inherited: resolvePolicy(kind, aboveLayers), effective: resolvePolicy(kind, [...aboveLayers, layer]) };
}

/** The levels this admin may set (P1, P2, M5, R5, D1), each with what it inherits; `forbidden` for anyone else. */
export async function policyLevelsFor(deps: PolicyDeps, actor: Actor, context: RequestContext): Promise<Result<{ account: Account; levels: PolicyLevel[] }>> {
  const manageable = await manageableAudiences(deps, actor, context);
  if (!manageable.ok) return manageable;
  const levels: PolicyLevel[] = [];
  for (const audience of manageable.audiences) levels.push(await levelOf(deps, actor.account, audience));
  return { ok: true, account: actor.account, levels };
}

/**
 * Sets fields of one of the admin's own levels; fields not sent keep their
 * value, null inherits. Changing policy changes other users' security, so it
 * needs the admin's own 2FA and a fresh second factor (SECURITY 17, 29, 33),
 * asked before the input is looked at. Nothing is saved unless every field is
 * valid; a change is one transaction with a `policy.changed` event naming the
 * fields that changed.
 */
export async function setPolicyLevel(
  deps: PolicyDeps,
  actor: Actor,
  audience: PolicyAudience,
  input: PolicyLevelInput,
  context: RequestContext,
): Promise<Result<{ changed: PolicyField[] }>> {
  const manageable = await manageableAudiences(deps, actor, context);
  if (!manageable.ok) return manageable;
  if (!manageable.audiences.includes(audience)) return fail("forbidden");
  const stepUp = await requireStepUp(deps, actor, "others_two_factor");
  if (!stepUp.ok) return stepUp;
  const [current] = await deps.store.accounts.findPolicyLayers([{ accountId: actor.account.id, audience }]);
  const before = current ?? emptyPolicyLayer;
  const applied = applyLevelInput(before, input);
  if (!applied.ok) return fail(applied.code, { field: applied.field });
  const changed = changedFields(before, applied.layer);
  if (changed.length === 0) return { ok: true, changed };
  const now = deps.clock.now();
  await deps.store.transaction(async (store) => {
    await store.accounts.savePolicyLayer(actor.account.id, audience, applied.layer, now);
    await store.events.appendEvent({
      id: newEventId(deps, now),
      accountId: actor.account.id,
      actorUserId: actor.user.id,
      subjectUserId: null,
      type: "policy.changed",
      // What changed, and the level's values after it: policy only, never a secret.
      detail: { audience, changed: changed.join(","), policy: JSON.stringify(applied.layer) },
      clientAddress: context.clientAddress,
      userAgent: context.userAgent?.slice(0, 256) ?? null,
      createdAt: now,
    });
  });
  return { ok: true, changed };
}

import { mayEverDo, type Action, type Relation } from "../../services/access/access.js";
import type { AccountKind, Role } from "../../services/model.js";

/**
 * The four web surfaces (SPEC "Surfaces") and their navigation. A link shows
 * only when the access table lets this actor ever do its action; the route
 * behind it still asks the table for each subject.
 */
export interface NavLink {
  href: string;
  label: string;
}

export interface Surface {
  id: "account" | "control_panel" | "storefront_manager" | "support_console";
  label: string;
  links: NavLink[];
}

type LinkRule = NavLink & { action: Action; relation?: Relation };

const surfaceLinks: { id: Surface["id"]; label: string; links: LinkRule[] }[] = [
  {
    id: "account",
    label: "Account settings",
    links: [
      { href: "/settings/security", label: "Security", action: "own_settings.change", relation: "self" },
      { href: "/settings/sessions", label: "Where you're signed in", action: "sessions.view", relation: "self" },
      { href: "/settings/events", label: "Event log", action: "events.view", relation: "self" },
      { href: "/settings/api-keys", label: "API keys", action: "api_key.create", relation: "self" },
    ],
  },
  {
    id: "control_panel",
    label: "Control panel",
    links: [
      { href: "/panel/users", label: "Manage users", action: "users.create", relation: "same_account" },
      { href: "/panel/events", label: "Account event log", action: "users.create", relation: "same_account" },
      { href: "/panel/policy", label: "Two-factor policy", action: "policy.manage", relation: "same_account" },
    ],
  },
  {
    id: "storefront_manager",
    label: "Storefront manager",
    links: [{ href: "/storefront/customers", label: "Customers", action: "customers.view", relation: "my_customer" }],
  },
  {
    id: "support_console",
    label: "Support console",
    links: [
      { href: "/support/reset-requests", label: "2FA reset requests", action: "reset_request.review", relation: "elsewhere" },
      { href: "/support/events", label: "All events", action: "events.view", relation: "elsewhere" },
      // Support has no control panel of its own: the platform's staff and policy are reached from here.
      { href: "/panel/users", label: "Manage users", action: "users.view", relation: "same_account" },
      { href: "/panel/policy", label: "Two-factor policy", action: "policy.manage", relation: "same_account" },
    ],
  },
];

export function surfacesFor(actor: { accountKind: AccountKind; role: Role }): Surface[] {
  const isSupport = actor.accountKind === "platform" && actor.role === "support";
  const shown: Record<Surface["id"], boolean> = {
    account: true,
    control_panel: !isSupport,
    storefront_manager: actor.accountKind === "reseller",
    support_console: isSupport,
  };
  return surfaceLinks
    .filter((surface) => shown[surface.id])
    .map((surface) => ({
      id: surface.id,
      label: surface.label,
      links: surface.links.filter((link) => mayEverDo(actor, link.action, link.relation)).map(({ href, label }) => ({ href, label })),
    }))
    .filter((surface) => surface.links.length > 0);
}

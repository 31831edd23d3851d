import { invitationKind, resetLinkKind } from "../../domain/email-words.js";
import type { NewOutgoingMessage, OutgoingMessage } from "../../store/store.js";
import type { ServiceDeps } from "../deps.js";

/**
 * The emails that carry a link token (a password reset, an invitation): the
 * one place a token must exist in a form that can be sent. Their bodies are
 * sealed with the secret box (AES-256-GCM, the key outside the database) while
 * they wait in `outgoing_messages`, and opened only by the dispatcher on its
 * way to the transport, so the token is never in a database row, its free
 * pages or the -wal in the clear; the reset row itself keeps only the token's
 * hash (issue 18 finding 6). Other emails hold no secret and stay plain.
 */
export const linkKinds: ReadonlySet<string> = new Set([resetLinkKind, invitationKind]);

const context = (id: string, part: "text" | "html") => `outgoing_messages.${part}_body:${id}`;

type Bodies = Pick<NewOutgoingMessage, "textBody" | "htmlBody">;

/** A link email as it is stored: the same message with both bodies sealed to its id. */
export function sealedLinkEmail(deps: Pick<ServiceDeps, "secretBox">, message: NewOutgoingMessage): NewOutgoingMessage {
  const seal = (body: string, part: "text" | "html") => deps.secretBox.seal(Buffer.from(body, "utf8"), context(message.id, part));
  return { ...message, textBody: seal(message.textBody, "text"), htmlBody: seal(message.htmlBody, "html") };
}

/** The bodies to send: opened for a link email, as stored otherwise. Throws when a sealed body does not open (its key is gone). */
export function openedBodies(deps: Pick<ServiceDeps, "secretBox">, message: Pick<OutgoingMessage, "id" | "kind"> & Bodies): Bodies {
  if (!linkKinds.has(message.kind)) return { textBody: message.textBody, htmlBody: message.htmlBody };
  const open = (body: string, part: "text" | "html") => deps.secretBox.open(body, context(message.id, part)).toString("utf8");
  return { textBody: open(message.textBody, "text"), htmlBody: open(message.htmlBody, "html") };
}

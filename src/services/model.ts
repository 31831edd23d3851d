/**
 * The records the services hand to their callers (pages, API, command line):
 * re-exported from the domain so a surface imports services only.
 */
export { methodTypes, type Account, type AccountKind, type MethodType, type OutboxMessage, type RecoveryCodePolicy, type Role, type SecurityEvent, type User } from "../domain/model.js";

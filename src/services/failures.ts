/**
 * The failure catalogue as the services return it (`Result<T>`, `Failure`,
 * catalogue codes and their messages and statuses), for the surfaces that turn
 * a failure into a page or a JSON error. The catalogue itself is the domain's
 * (`domain/errors.ts`).
 */
export { errorCatalogue, errorMessage, errorStatus, fail, isErrorCode, ok, type ErrorCode, type Failure, type Outcome, type Result } from "../domain/errors.js";

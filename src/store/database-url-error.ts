/** TWOSTEP_DATABASE_URL is not one the store can open; the message names the problem, never the URL (it may hold a password). */
export class DatabaseUrlError extends Error {}

/**
 * One rule for every email twostep takes (create, invite, reset, login): a
 * single mailbox, RFC 5322's addr-spec as browsers accept it in
 * `<input type="email">` (the WHATWG "valid e-mail address"), with a dot in
 * the domain and at most 254 characters (RFC 5321's path limit).
 *
 * So no unquoted comma, semicolon, angle bracket, space, quote or control
 * character: each would let one string name two mailboxes (`a,b@x` is read as
 * two recipients by a mail library) or carry a header. Quoted local parts
 * (`"a,b"@x`) are refused too: no browser accepts them and no user needs one.
 */
const atext = "[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+";
const label = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
const mailbox = new RegExp(`^${atext}@${label}(?:\\.${label})+$`);

export const maximumEmailLength = 254;

export function isSingleMailbox(email: string): boolean {
  return email.length <= maximumEmailLength && mailbox.test(email);
}

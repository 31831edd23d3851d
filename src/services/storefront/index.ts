/** A3, the storefront manager: shared by the pages, the JSON API and the platform API. */
export { listCustomers, showCustomer, encodeCursor, defaultPageSize, maxPageSize, type CustomerSummary, type CustomerUserView } from "./customers.js";
export { disableCustomerTwoFactor } from "./disable-customer-two-factor.js";

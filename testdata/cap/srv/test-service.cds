using test from '../db/test';

/**
 * The test entities as an OData v4 service at /odata/v4/test; Items comes in server pages of 50,
 * Bulk (the same rows) in pages of up to 1000, for throughput measurements.
 */
@path: '/odata/v4/test'
service TestService {
  entity Tickets   as projection on test.Tickets;
  entity Customers as projection on test.Customers;

  @cds.query.limit: { default: 50, max: 50 }
  entity Items     as projection on test.Items;

  @readonly
  @cds.query.limit: { default: 1000, max: 1000 }
  entity Bulk      as projection on test.Items;
}

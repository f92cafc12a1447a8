using bc from '../db/bc';

/**
 * The Business-Central-shaped model (db/bc.cds) as an OData v4 service at /odata/v4/bc, in the schema
 * namespace Microsoft.NAV (Business Central's own, by which Switchyard recognises the system). Entity sets
 * are read and written under companies(<id>)/, as Business Central's are; srv/bc-service.js fills in the
 * company of a created record.
 */
@path: '/odata/v4/bc'
service Microsoft.NAV {
  @readonly
  entity companies   as projection on bc.companies;
  entity customers   as projection on bc.customers;
  entity contacts    as projection on bc.contacts;
  entity salesOrders as projection on bc.salesOrders;
}

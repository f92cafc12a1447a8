// A Business-Central-shaped model for Switchyard's tests of the businesscentral preset, served by
// srv/bc-service.cds at /odata/v4/bc/ in the schema namespace Microsoft.NAV, as Business Central's API
// v2.0 names its own. The entity sets and fields are named as Business Central names them (customers,
// contacts, salesOrders; id, number, displayName, customerId, lastModifiedDateTime, ...).
//
// Business Central puts every entity set under a company: companies(<id>)/customers. Here that path is
// CAP's own navigation along the compositions of companies (reads, and creates and updates, also inside
// $batch; a next link comes as companies(<id>)/customers?$skiptoken=..., relative to the service root).
// companyId, the foreign key of those compositions, is no Business Central field: it is read-only
// (Core.Computed), and srv/bc-service.js fills it in on create from the company in the path (a create
// outside a company, at customers, lands in CRONUS). The top-level sets (customers, ...) list every
// company's records.
//
// lastModifiedDateTime is stamped on every create and update (and is the ETag: updates and deletes need
// If-Match), as Business Central does; the seed data in db/data/bc-*.csv set it. The seed data: two
// companies, CRONUS International Ltd. (5d115c9c-44e3-ea11-bb43-000d3a2feca1) with 30 customers, 30
// contacts (15 companies, one per customer 1-15, and 15 persons) and 40 sales orders (each to a CRONUS
// customer), and My Company (6e226dad-55f4-fb22-cc54-111e4b3fdfb2) with 3 customers, 2 contacts and
// 2 sales orders. Ids are fixed; see the CSV files for the values.
namespace bc;

/** A company: every other entity belongs to one. */
entity companies {
  key id                : UUID;
      systemVersion     : String(30);
      name              : String(30);
      displayName       : String(250);
      businessProfileId : String(250);
      customers         : Composition of many customers on customers.companyId = id;
      contacts          : Composition of many contacts on contacts.companyId = id;
      salesOrders       : Composition of many salesOrders on salesOrders.companyId = id;
}

/** Customers (Business Central's customer API). */
entity customers {
  key id                   : UUID;
      number               : String(20);
      displayName          : String(100);
      type                 : String(20);
      addressLine1         : String(100);
      addressLine2         : String(50);
      city                 : String(30);
      state                : String(30);
      country              : String(10);
      postalCode           : String(20);
      phoneNumber          : String(30);
      email                : String(80);
      website              : String(80);
      taxLiable            : Boolean;
      currencyCode         : String(10);
      blocked              : String(20);
      balanceDue           : Decimal(19, 2);
      creditLimit          : Decimal(19, 2);
      lastModifiedDateTime : Timestamp @cds.on.insert: $now @cds.on.update: $now;
      // The company the record belongs to: set from the path on create (srv/bc-service.js), never written.
      companyId            : UUID @Core.Computed;
}

/** Contacts: companies and persons (companyNumber names a person's company contact). */
entity contacts {
  key id                      : UUID;
      number                  : String(20);
      type                    : String(20);
      displayName             : String(100);
      companyNumber           : String(20);
      companyName             : String(100);
      contactBusinessRelation : String(30);
      addressLine1            : String(100);
      city                    : String(30);
      country                 : String(10);
      postalCode              : String(20);
      phoneNumber             : String(30);
      mobilePhoneNumber       : String(30);
      email                   : String(80);
      lastModifiedDateTime    : Timestamp @cds.on.insert: $now @cds.on.update: $now;
      companyId               : UUID @Core.Computed;
}

/** Sales orders, each to a customer (customerId, the navigation property customer). */
entity salesOrders {
  key id                      : UUID;
      number                  : String(20);
      externalDocumentNumber  : String(35);
      orderDate               : Date;
      postingDate             : Date;
      customerId              : UUID;
      customer                : Association to customers on customer.id = customerId;
      customerNumber          : String(20);
      customerName            : String(100);
      currencyCode            : String(10);
      pricesIncludeTax        : Boolean;
      status                  : String(20);
      totalAmountExcludingTax : Decimal(19, 2);
      totalTaxAmount          : Decimal(19, 2);
      totalAmountIncludingTax : Decimal(19, 2);
      fullyShipped            : Boolean;
      lastModifiedDateTime    : Timestamp @cds.on.insert: $now @cds.on.update: $now;
      companyId               : UUID @Core.Computed;
}

annotate customers with { lastModifiedDateTime @odata.etag };
annotate contacts with { lastModifiedDateTime @odata.etag };
annotate salesOrders with { lastModifiedDateTime @odata.etag };

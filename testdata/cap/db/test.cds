// Entities for the connector tests that write, page and follow change cursors; the crm model stays as its
// seed data describe it. Served by srv/test-service.cds at /odata/v4/test.
namespace test;

using { cuid, managed } from '@sap/cds/common';

/** Tickets carry an ETag (their modifiedAt): updates and deletes need If-Match. */
entity Tickets : cuid, managed {
  subject : String(100) not null;
  status  : String(20) default 'open';
  points  : Integer;
  amount  : Decimal(11, 2);
  due     : Date;
  account : Association to Customers;
}

annotate Tickets with {
  modifiedAt @odata.etag;
};

/** Customers a ticket may point to. */
entity Customers : cuid, managed {
  name : String(100) not null;
}

/**
 * Many rows for paging and incremental reads, generated when the server starts
 * (SWITCHYARD_CAP_ITEMS rows, none by default); rows share modifiedAt timestamps in groups of 100.
 */
entity Items : managed {
  key ID    : Integer;
      name  : String(50) not null;
      grp   : Integer;
      price : Decimal(9, 2);
      note  : String(200);
}

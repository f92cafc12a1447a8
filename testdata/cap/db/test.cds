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

/**
 * Customers a ticket may point to. lastContact, a Timestamp (Edm.DateTimeOffset, Precision 7), gives
 * the conformance suite a writable date-time that keeps ten-millionths of a second.
 */
entity Customers : cuid, managed {
  name        : String(100) not null;
  lastContact : Timestamp;
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

/**
 * Sites and their Inspections, for bidirectional sync tests at a realistic size: serve.js generates
 * SWITCHYARD_CAP_SITES of each (none by default), inspection i pointing to site i. No paging
 * annotations: CAP's defaults apply.
 */
entity Sites : cuid, managed {
  name     : String(100) not null;
  code     : String(20);
  region   : String(40);
  capacity : Integer;
  rating   : Decimal(9, 4);
  notes    : String(200);
}

/** An inspection of one site (foreign key site_ID). */
entity Inspections : cuid, managed {
  title       : String(100) not null;
  result      : String(20);
  score       : Integer;
  cost        : Decimal(11, 4);
  inspectedOn : Date;
  site        : Association to Sites;
}

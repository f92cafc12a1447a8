// A small CRM model for Switchyard's OData connector tests.
namespace crm;

using { cuid, managed } from '@sap/cds/common';

/** Work order states; a plain string with a fixed set of values. */
type WorkOrderStatus : String(20) enum {
  New        = 'new';
  InProgress = 'in_progress';
  Done       = 'done';
  Cancelled  = 'cancelled';
}

/** Organisations the business deals with. */
entity Accounts : cuid, managed {
  name          : String(100) not null;
  accountnumber : String(20);
  email         : String(100);
  phone         : String(30);
  website       : String(200);
  revenue       : Decimal(15, 2);
  employees     : Integer;
  active        : Boolean default true;
  founded       : Date;
  parent        : Association to Accounts;
  contacts      : Association to many Contacts on contacts.account = $self;
}

/** People, usually working for an account. */
entity Contacts : cuid, managed {
  firstname : String(50);
  lastname  : String(50) not null;
  email     : String(100);
  phone     : String(30);
  birthdate : Date;
  account   : Association to Accounts;
}

/** Jobs to be done for a contact. */
entity WorkOrders : cuid, managed {
  title       : String(200) not null;
  description : LargeString;
  status      : WorkOrderStatus default 'new';
  priority    : Integer;
  due         : DateTime;
  estimate    : Decimal(9, 2);
  contact     : Association to Contacts;
}

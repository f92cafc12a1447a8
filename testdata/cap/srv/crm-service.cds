using crm from '../db/schema';

/** The CRM as an OData v4 service at /odata/v4/crm. */
@path: '/odata/v4/crm'
service CrmService {
  entity Accounts   as projection on crm.Accounts;
  entity Contacts   as projection on crm.Contacts;
  entity WorkOrders as projection on crm.WorkOrders;
}

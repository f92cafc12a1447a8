// The implementation of srv/bc-service.cds: a record created under companies(<id>)/ belongs to that
// company, as in Business Central; one created outside a company (at customers, say) to CRONUS.
'use strict'

const cds = require('@sap/cds')

const CRONUS = '5d115c9c-44e3-ea11-bb43-000d3a2feca1'

module.exports = class BusinessCentral extends cds.ApplicationService {
  init () {
    this.before('CREATE', ['customers', 'contacts', 'salesOrders'], req => {
      const parent = req.params?.[0]
      const company = parent && typeof parent === 'object' ? parent.id : parent
      req.data.companyId = company || CRONUS
    })
    return super.init()
  }
}

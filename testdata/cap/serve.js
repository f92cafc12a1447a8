// Serves the CRM model as an OData v4 service for Switchyard's tests.
//
// SAP CAP with the pure-JavaScript sql.js driver and an in-memory database seeded from db/data,
// bound to 127.0.0.1 only, on the port in $PORT (0 or unset picks a free one). When it is ready it
// prints one line:  listening http://127.0.0.1:PORT/odata/v4/crm/
'use strict'

const path = require('path')
const http = require('http')

process.chdir(__dirname)
process.env.CDS_REQUIRES_DB_DRIVER ||= 'sql.js'

const cds = require('@sap/cds')
// express comes with @sap/cds; resolve it from there so this script needs no dependency of its own.
const express = require(require.resolve('express', { paths: [path.dirname(require.resolve('@sap/cds/package.json'))] }))

const SERVICE_PATH = '/odata/v4/crm/'

async function main () {
  const port = Number(process.env.PORT || 0)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, not ${process.env.PORT}`)

  cds.root = __dirname
  await cds.plugins

  // cds.server calls app.listen(port), which would bind every interface: bind loopback only.
  const app = express()
  app.listen = function (p) { return http.createServer(this).listen(p, '127.0.0.1') }

  const server = await cds.server({ app, service: 'all', from: '*', in_memory: true, port })
  await new Promise((resolve, reject) => {
    if (server.listening) return resolve()
    server.once('listening', resolve)
    server.once('error', reject)
  })
  const { address, port: bound } = server.address()
  process.stdout.write(`listening http://${address}:${bound}${SERVICE_PATH}\n`)

  const stop = () => {
    server.close(() => process.exit(0))
    setTimeout(() => process.exit(0), 1000).unref()
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
}

main().catch(err => {
  console.error('serve.js: cannot start the CAP test server:', err)
  process.exit(1)
})

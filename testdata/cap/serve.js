// Serves the CRM model as an OData v4 service for Switchyard's tests.
//
// SAP CAP with the pure-JavaScript sql.js driver and an in-memory database seeded from db/data,
// bound to 127.0.0.1 only, on the port in $PORT (0 or unset picks a free one). When it is ready it
// prints one line:  listening http://127.0.0.1:PORT/odata/v4/crm/
// The test service (srv/test-service.cds) is at /odata/v4/test/ beside it; $SWITCHYARD_CAP_ITEMS rows
// (default 0) are generated into its Items before that line is printed. With
// SWITCHYARD_CAP_STOP_ON_EOF=1 it stops when its standard input closes.
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
  await seedItems(Number(process.env.SWITCHYARD_CAP_ITEMS || 0))
  const { address, port: bound } = server.address()
  process.stdout.write(`listening http://${address}:${bound}${SERVICE_PATH}\n`)

  const stop = () => {
    server.close(() => process.exit(0))
    setTimeout(() => process.exit(0), 1000).unref()
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
  // A test that starts its own instance sets this and holds standard input open: when the test
  // process ends, even by a crash, the pipe closes and the server stops with it.
  if (process.env.SWITCHYARD_CAP_STOP_ON_EOF === '1') {
    process.stdin.on('end', stop)
    process.stdin.on('close', stop)
    process.stdin.resume()
  }
}

// seedItems inserts n deterministic rows into test.Items: ID 1..n, modifiedAt shared by each run of
// 100 consecutive IDs (2024-01-01T00:00:00Z plus one minute per group), so that incremental reads meet
// many records with one timestamp across page boundaries.
async function seedItems (n) {
  if (!Number.isInteger(n) || n < 0) throw new Error(`SWITCHYARD_CAP_ITEMS must be a whole number, not ${process.env.SWITCHYARD_CAP_ITEMS}`)
  const base = Date.parse('2024-01-01T00:00:00Z')
  const chunk = 1000
  for (let start = 1; start <= n; start += chunk) {
    const rows = []
    for (let id = start; id < Math.min(start + chunk, n + 1); id++) {
      const stamp = new Date(base + Math.floor((id - 1) / 100) * 60000).toISOString()
      rows.push({ ID: id, name: `Item ${id}`, grp: id % 7, price: ((id * 37) % 10000) / 100, note: `note ${id}`,
        createdAt: stamp, createdBy: 'seed', modifiedAt: stamp, modifiedBy: 'seed' })
    }
    await cds.db.run(INSERT.into('test.Items').entries(rows))
  }
}

main().catch(err => {
  console.error('serve.js: cannot start the CAP test server:', err)
  process.exit(1)
})

// Serves a small shop (customers, orders) as a REST/JSON API with json-server 0.17.4, for Switchyard's tests.
//
// Every start copies the seed db.json to a fresh file in a temporary folder and serves that copy, so the
// seed never changes and each server starts from it. Bound to 127.0.0.1 only, on the port in $PORT (0 or
// unset picks a free one). When it is ready it prints one line:  listening http://127.0.0.1:PORT/
// It pages with _page/_limit (Link header, X-Total-Count), filters with field=, field_gte=, ..., sorts
// with _sort/_order, and stamps createdAt/updatedAt on writes (timestamps.js). With
// SWITCHYARD_REST_STOP_ON_EOF=1 it stops when its standard input closes.
'use strict'

const fs = require('fs')
const os = require('os')
const path = require('path')
const jsonServer = require('json-server')
const timestamps = require('./timestamps')

function main () {
  const port = Number(process.env.PORT || 0)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, not ${process.env.PORT}`)

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-rest-'))
  const db = path.join(dir, 'db.json')
  fs.copyFileSync(path.join(__dirname, 'db.json'), db)

  const server = jsonServer.create()
  server.use(jsonServer.defaults({ logger: false, noCors: true }))
  server.use(jsonServer.bodyParser)
  server.use(timestamps)
  server.use(jsonServer.router(db))

  const listener = server.listen(port, '127.0.0.1', () => {
    const { address, port: bound } = listener.address()
    process.stdout.write(`listening http://${address}:${bound}/\n`)
  })
  const stop = () => {
    listener.close(() => {
      fs.rmSync(dir, { recursive: true, force: true })
      process.exit(0)
    })
    setTimeout(() => { fs.rmSync(dir, { recursive: true, force: true }); process.exit(0) }, 1000).unref()
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
  if (process.env.SWITCHYARD_REST_STOP_ON_EOF === '1') {
    process.stdin.on('end', stop)
    process.stdin.on('close', stop)
    process.stdin.resume()
  }
}

try {
  main()
} catch (err) {
  console.error('serve.js: cannot start the REST test server:', err)
  process.exit(1)
}

// Serves the CRM model as an OData v4 service for Switchyard's tests.
//
// SAP CAP with the pure-JavaScript sql.js driver and an in-memory database seeded from db/data,
// bound to 127.0.0.1 only, on the port in $PORT (0 or unset picks a free one). When it is ready it
// prints one line:  listening http://127.0.0.1:PORT/odata/v4/crm/
// The test service (srv/test-service.cds) is at /odata/v4/test/ beside it; $SWITCHYARD_CAP_ITEMS rows
// (default 0) are generated into its Items before that line is printed, and $SWITCHYARD_CAP_SITES
// (default 0) Sites and as many Inspections (see seedSites). With SWITCHYARD_CAP_STOP_ON_EOF=1 it stops
// when its standard input closes.
//
// It counts the writes it receives (see countWrites): GET /test-stats/writes returns the counts as JSON,
// POST /test-stats/reset sets them to zero. Node's and CAP's limits stay at their defaults (request line
// and headers up to 16 KB, else 431; CAP's page sizes and body size limits).
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
  // Before everything cds.server adds to the app.
  app.use(countWrites)

  const server = await cds.server({ app, service: 'all', from: '*', in_memory: true, port })
  await new Promise((resolve, reject) => {
    if (server.listening) return resolve()
    server.once('listening', resolve)
    server.once('error', reject)
  })
  await seedItems(Number(process.env.SWITCHYARD_CAP_ITEMS || 0))
  await seedSites(Number(process.env.SWITCHYARD_CAP_SITES || 0))
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

// seedSites inserts n deterministic rows into test.Sites and n into test.Inspections; for i in 1..n:
//   Sites:       ID 00000000-0000-4000-8000-<i as 12 hex digits>, name "Site i", code "S" + i in 6 digits,
//                region REGIONS[i % 6] (null when i % 25 == 0), capacity (i*37) % 1000 + 10,
//                rating ((i*7919) % 50000) / 10000, notes "Notes on site i" (null when i % 10 == 0),
//                createdAt = modifiedAt = 2024-02-01T00:00:00Z plus floor((i-1)/50) minutes (groups of 50).
//   Inspections: ID 00000000-0000-4000-9000-<i as 12 hex digits>, title "Inspection i",
//                result RESULTS[i % 3], score (i*17) % 101, cost ((i*104729) % 100000000) / 10000,
//                inspectedOn 2024-01-01 plus i % 366 days (null when i % 20 == 0), site_ID = site i's ID,
//                createdAt = modifiedAt = 2024-03-01T00:00:00Z plus floor((i-1)/50) minutes.
// createdBy and modifiedBy are "seed".
const REGIONS = ['north', 'south', 'east', 'west', 'central', 'coast']
const RESULTS = ['passed', 'failed', 'pending']
const siteID = i => '00000000-0000-4000-8000-' + i.toString(16).padStart(12, '0')
const inspectionID = i => '00000000-0000-4000-9000-' + i.toString(16).padStart(12, '0')

async function seedSites (n) {
  if (!Number.isInteger(n) || n < 0) throw new Error(`SWITCHYARD_CAP_SITES must be a whole number, not ${process.env.SWITCHYARD_CAP_SITES}`)
  const siteBase = Date.parse('2024-02-01T00:00:00Z')
  const inspectionBase = Date.parse('2024-03-01T00:00:00Z')
  const dayBase = Date.parse('2024-01-01T00:00:00Z')
  const chunk = 1000
  for (let start = 1; start <= n; start += chunk) {
    const sites = []
    const inspections = []
    for (let i = start; i < Math.min(start + chunk, n + 1); i++) {
      const group = Math.floor((i - 1) / 50) * 60000
      const siteStamp = new Date(siteBase + group).toISOString()
      const inspectionStamp = new Date(inspectionBase + group).toISOString()
      sites.push({ ID: siteID(i), name: `Site ${i}`, code: 'S' + String(i).padStart(6, '0'),
        region: i % 25 === 0 ? null : REGIONS[i % 6], capacity: (i * 37) % 1000 + 10,
        rating: ((i * 7919) % 50000) / 10000, notes: i % 10 === 0 ? null : `Notes on site ${i}`,
        createdAt: siteStamp, createdBy: 'seed', modifiedAt: siteStamp, modifiedBy: 'seed' })
      inspections.push({ ID: inspectionID(i), title: `Inspection ${i}`, result: RESULTS[i % 3],
        score: (i * 17) % 101, cost: ((i * 104729) % 100000000) / 10000,
        inspectedOn: i % 20 === 0 ? null : new Date(dayBase + (i % 366) * 86400000).toISOString().slice(0, 10),
        site_ID: siteID(i),
        createdAt: inspectionStamp, createdBy: 'seed', modifiedAt: inspectionStamp, modifiedBy: 'seed' })
    }
    await cds.db.run(INSERT.into('test.Sites').entries(sites))
    await cds.db.run(INSERT.into('test.Inspections').entries(inspections))
  }
}

// The write counts of countWrites, reset by POST /test-stats/reset:
//   total     writes (POST, PATCH, PUT, DELETE), each operation inside a $batch counted alone;
//             a $batch request itself is no write (it counts in batches)
//   byMethod  total by method, byEntity total by entity set ("Sites" for /odata/v4/test/Sites(...))
//   batches   $batch requests, requests  all requests but those to /test-stats/
//   maxUrl    the longest request target (path and query, as sent) of those requests, in bytes
let stats
function resetStats () {
  stats = { total: 0, byMethod: {}, byEntity: {}, batches: 0, requests: 0, maxUrl: 0 }
}
resetStats()

const WRITES = { POST: 1, PATCH: 1, PUT: 1, DELETE: 1 }

function countWrite (method, url) {
  method = String(method || '').toUpperCase()
  if (!(method in WRITES)) return
  const set = entitySet(String(url || ''))
  stats.total++
  stats.byMethod[method] = (stats.byMethod[method] || 0) + 1
  stats.byEntity[set] = (stats.byEntity[set] || 0) + 1
}

// entitySet returns the entity set a request URL (absolute, from the server root, or relative to the
// service as inside a $batch) addresses: its first path segment after the service root, without key.
function entitySet (url) {
  let p = url.replace(/^[a-z]+:\/\/[^/]+/i, '').split(/[?#]/)[0]
  try { p = decodeURIComponent(p) } catch {}
  p = p.replace(/^\/odata\/v4\/[^/]+\//, '').replace(/^\/+/, '')
  return p.split(/[/(]/)[0] || '/'
}

// countBatch counts the operations of a $batch body: a parsed JSON batch ({"requests": [...]}) or the
// text of a multipart one (its request lines, "PATCH Sites(...) HTTP/1.1").
function countBatch (body) {
  if (body && typeof body === 'object' && Array.isArray(body.requests)) {
    for (const r of body.requests) if (r && typeof r === 'object') countWrite(r.method, r.url)
  } else if (typeof body === 'string') {
    for (const m of body.matchAll(/^([A-Za-z]+)[ \t]+(\S+)[ \t]+HTTP\/\d(?:\.\d)?[ \t]*\r?$/gm)) countWrite(m[1], m[2])
  }
}

// CAP reads a $batch body with express.text and the limit of cds.env.server.body_parser (100kb by
// default); countWrites reads it the same way first when its Content-Length is within that limit, and
// leaves it for CAP, which skips reading a body that is already read, as req.body. A JSON body is
// handed on parsed (CAP's JSON parser skips an object body); invalid JSON stays text for CAP to refuse.
const bodyParserOptions = { ...(cds.env.server?.body_parser || {}) }
const readText = express.text({ ...bodyParserOptions, type: () => true })
const bytes = require(require.resolve('bytes', { paths: [path.dirname(require.resolve('body-parser/package.json', { paths: [path.dirname(require.resolve('@sap/cds/package.json'))] }))] }))
const bodyLimit = typeof bodyParserOptions.limit === 'number' ? bodyParserOptions.limit : bytes.parse(bodyParserOptions.limit || '100kb')

function isBatch (req) {
  return req.method === 'POST' && /\/(\$|%24)batch$/i.test(req.path)
}

// countWrites is the express middleware that counts, and serves /test-stats/.
function countWrites (req, res, next) {
  if (req.path === '/test-stats/writes' && req.method === 'GET') return res.json(stats)
  if (req.path === '/test-stats/reset' && req.method === 'POST') { resetStats(); return res.json(stats) }
  if (req.path.startsWith('/test-stats/')) return res.status(404).json({ error: 'GET /test-stats/writes or POST /test-stats/reset' })

  stats.requests++
  stats.maxUrl = Math.max(stats.maxUrl, Buffer.byteLength(req.originalUrl))
  if (!isBatch(req)) {
    countWrite(req.method, req.originalUrl)
    return next()
  }
  stats.batches++
  const length = Number(req.headers['content-length'])
  if (!(length >= 0 && length <= bodyLimit)) {
    // Left to CAP (no or a large Content-Length): counted from what CAP read once it has answered.
    res.once('finish', () => countBatch(req.body))
    return next()
  }
  readText(req, res, err => {
    if (err) return next(err)
    const text = typeof req.body === 'string' ? req.body : ''
    if (/^application\/json/i.test(req.headers['content-type'] || '')) {
      try {
        const body = JSON.parse(text || '{}')
        if (body && typeof body === 'object') {
          req.body = body
          req._raw = text || '{}'
        }
      } catch {}
    }
    countBatch(req.body)
    next()
  })
}

main().catch(err => {
  console.error('serve.js: cannot start the CAP test server:', err)
  process.exit(1)
})

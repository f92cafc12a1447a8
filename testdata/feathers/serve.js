// Serves two entities as a Feathers v5 REST API (@feathersjs/koa, @feathersjs/memory), for Switchyard's tests:
// a REST server that pages and answers differently from json-server.
//
//   GET /items?$limit=&$skip=   {"total": 406, "limit": 50, "skip": 0, "data": [...]}   (406 items)
//   GET /accounts?...           the same shape                                          (10,000 accounts)
//   GET /items/7, POST /items, PATCH /items/7, PUT /items/7, DELETE /items/7            (the same for accounts)
//
// Pagination is Feathers' default: `$limit` (10 when not given, at most 50: a larger $limit is cut to 50, the
// server's cap) and `$skip`; the total is in the body. Queries: field=v, field[$gte]=v, field[$in][]=v, ...,
// $sort[field]=1. Query values are text (no schema converts them): numeric fields match only through
// $sort, $limit and $skip. Writes stamp updatedAt (and createdAt on create), ISO 8601 in UTC with
// milliseconds, never going backwards.
//
// Every start seeds the same data in memory (nothing is written to disk):
//   items    id 1..N (N = $SWITCHYARD_FEATHERS_ITEMS, default 406): name "Item <id>", sku, price (a number with
//            up to 2 decimals: whole for ids divisible by 4), qty, active, category, releasedOn (a date),
//            weight (whole for ids <= 60, then with .5: a sample of 50 sees whole numbers only), legacyCode (a
//            whole number for ids <= 400, then text "X-<id>"), supplier.name, supplier.country (nested),
//            createdAt, updatedAt (2024-01-01T00:00:00.000Z plus <id> minutes)
//   accounts id 1..M (M = $SWITCHYARD_FEATHERS_ACCOUNTS, default 10000): name "Account <id>", email, balance
//            (a number with 2 decimals), active, createdAt, updatedAt (2024-01-01T00:00:00.000Z plus <id> seconds)
//
// Other settings: $SWITCHYARD_FEATHERS_MAX the pagination cap (default 50); $SWITCHYARD_FEATHERS_DROP=N makes
// items under-deliver: a page that reaches the end of the list drops its last N records, while the total
// still counts them (as a server that loses records at the end of a read does).
//
// Request counts: GET /test-stats answers {"requests", "byMethod", "byService", "maxUrl", "recent"} for every
// request since the start or the last POST /test-stats/reset (requests to /test-stats not counted; recent holds
// the last 500 request lines "GET /items?$limit=50&$skip=0" as received).
//
// Bound to 127.0.0.1 only, on the port in $PORT (0 or unset picks a free one). When it is ready it prints one
// line:  listening http://127.0.0.1:PORT/   With SWITCHYARD_FEATHERS_STOP_ON_EOF=1 it stops when its standard
// input closes.
'use strict'

const { feathers } = require('@feathersjs/feathers')
const { koa, rest, bodyParser, errorHandler } = require('@feathersjs/koa')
const { MemoryService } = require('@feathersjs/memory')

function intEnv (name, def, min) {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return def
  const n = Number(raw)
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be a whole number of at least ${min}, not ${raw}`)
  return n
}

const base = Date.UTC(2024, 0, 1)
const categories = ['tools', 'garden', 'kitchen', 'toys']
const countries = ['BE', 'NL', 'DE', 'FR', 'LU']

function item (id) {
  const at = new Date(base + id * 60000).toISOString()
  const day = new Date(Date.UTC(2023, 0, 1) + (id % 365) * 86400000).toISOString().slice(0, 10)
  return {
    id,
    name: `Item ${id}`,
    sku: `SKU-${String(id).padStart(5, '0')}`,
    price: Math.round(id * 125) / 100,
    qty: id % 37,
    active: id % 3 !== 0,
    category: categories[id % categories.length],
    releasedOn: day,
    weight: id <= 60 ? id : id + 0.5,
    legacyCode: id <= 400 ? id * 10 : `X-${id}`,
    supplier: { name: `Supplier ${id % 7}`, country: countries[id % countries.length] },
    createdAt: at,
    updatedAt: at
  }
}

function account (id) {
  const at = new Date(base + id * 1000).toISOString()
  return {
    id,
    name: `Account ${id}`,
    email: `account${id}@example.com`,
    balance: Math.round(id * 317) / 100,
    active: id % 5 !== 0,
    createdAt: at,
    updatedAt: at
  }
}

function seed (n, make) {
  const store = {}
  for (let id = 1; id <= n; id++) store[id] = make(id)
  return store
}

// stamp sets updatedAt (and createdAt on create) on every write; stamps never go backwards. An update (PUT)
// keeps the record's createdAt, a patch leaves it alone.
let last = 0
async function stamp (context) {
  last = Math.max(Date.now(), last + 1)
  const now = new Date(last).toISOString()
  const data = context.data
  if (data && typeof data === 'object' && !Array.isArray(data)) {
    delete data.createdAt
    if (context.method === 'create') {
      data.createdAt = now
    } else if (context.method === 'update') {
      const old = await context.service.get(context.id).catch(() => null)
      if (old) data.createdAt = old.createdAt
    }
    data.updatedAt = now
  }
  return context
}

// counter counts the requests (Koa middleware) and serves /test-stats.
function counter () {
  let stats
  const reset = () => { stats = { requests: 0, byMethod: {}, byService: {}, maxUrl: 0, recent: [] } }
  reset()
  return async (ctx, next) => {
    if (ctx.path === '/test-stats' || ctx.path.startsWith('/test-stats/')) {
      if (ctx.method === 'GET' && ctx.path === '/test-stats') {
        ctx.body = stats
      } else if (ctx.method === 'POST' && ctx.path === '/test-stats/reset') {
        reset()
        ctx.body = stats
      } else {
        ctx.status = 404
        ctx.body = { message: 'GET /test-stats or POST /test-stats/reset' }
      }
      return
    }
    const line = `${ctx.method} ${ctx.originalUrl}`
    stats.requests++
    stats.byMethod[ctx.method] = (stats.byMethod[ctx.method] || 0) + 1
    const service = ctx.path.split('/')[1] || ''
    stats.byService[service] = (stats.byService[service] || 0) + 1
    stats.maxUrl = Math.max(stats.maxUrl, Buffer.byteLength(ctx.originalUrl))
    stats.recent.push(line)
    if (stats.recent.length > 500) stats.recent.shift()
    await next()
  }
}

async function main () {
  const port = intEnv('PORT', 0, 0)
  if (port > 65535) throw new Error(`PORT must be a port number, not ${process.env.PORT}`)
  const nItems = intEnv('SWITCHYARD_FEATHERS_ITEMS', 406, 0)
  const nAccounts = intEnv('SWITCHYARD_FEATHERS_ACCOUNTS', 10000, 0)
  const max = intEnv('SWITCHYARD_FEATHERS_MAX', 50, 1)
  const drop = intEnv('SWITCHYARD_FEATHERS_DROP', 0, 0)
  const paginate = { default: Math.min(10, max), max }

  const app = koa(feathers())
  app.use(counter())
  app.use(errorHandler())
  app.use(bodyParser())
  app.configure(rest())
  app.use('items', new MemoryService({ paginate, store: seed(nItems, item), startId: nItems + 1 }))
  app.use('accounts', new MemoryService({ paginate, store: seed(nAccounts, account), startId: nAccounts + 1 }))
  for (const name of ['items', 'accounts']) {
    app.service(name).hooks({ before: { create: [stamp], update: [stamp], patch: [stamp] } })
  }
  if (drop > 0) {
    app.service('items').hooks({
      after: {
        find: [(context) => {
          const r = context.result
          if (r && Array.isArray(r.data) && r.skip + r.data.length >= r.total) {
            r.data = r.data.slice(0, Math.max(0, r.data.length - drop))
          }
          return context
        }]
      }
    })
  }

  const server = await app.listen(port, '127.0.0.1')
  const { address, port: bound } = server.address()
  process.stdout.write(`listening http://${address}:${bound}/\n`)

  const stop = () => {
    server.close(() => process.exit(0))
    setTimeout(() => process.exit(0), 1000).unref()
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
  if (process.env.SWITCHYARD_FEATHERS_STOP_ON_EOF === '1') {
    process.stdin.on('end', stop)
    process.stdin.on('close', stop)
    process.stdin.resume()
  }
}

main().catch((err) => {
  console.error('serve.js: cannot start the Feathers REST test server:', err)
  process.exit(1)
})

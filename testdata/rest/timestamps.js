// json-server middleware: stamps createdAt and updatedAt on every write, as most REST APIs do and as
// json-server does not. POST sets both; PUT and PATCH set updatedAt (PUT keeps the record's createdAt,
// PATCH leaves it alone). Stamps are ISO 8601 in UTC with milliseconds, and never go backwards: two writes
// in the same millisecond get increasing stamps, so that "changes since" reads lose nothing.
// Usable as `json-server db.json --middlewares timestamps.js` or from serve.js.
'use strict'

let last = 0

function stamp () {
  last = Math.max(Date.now(), last + 1)
  return new Date(last).toISOString()
}

module.exports = function timestamps (req, res, next) {
  const body = req.body
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const now = stamp()
    if (req.method === 'POST') {
      body.createdAt = now
      body.updatedAt = now
    } else if (req.method === 'PUT' || req.method === 'PATCH') {
      delete body.createdAt
      body.updatedAt = now
    }
  }
  next()
}

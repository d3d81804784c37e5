'use strict'
// Hostile shared stores (issue 27, classes 6 and 7): a refresh lock that never clears, and a stored token that
// is no token (70 KB, or characters that break a query string). Both must cost one token request, not an outage.

const test = require('ava')
const cloud = require('../..')
const { rawServer } = require('./raw-server.js')

const APP = { appid: 'wxhostile000000027', secret: 'hostile-secret-000000000000027' }
const TOKEN = 'stored-token-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA27'
const TOKEN_KEY = `wechat-openapi:{${APP.appid}}:access_token`
const LOCK_KEY = `${TOKEN_KEY}:lock`

/** WeChat: a token for a token request; 414 for a request line a front end refuses; 40001 for any other token. */
function wechat() {
  return rawServer((req, reply) => {
    if (req.target.length > 16 * 1024) return reply.send({ status: 414, reason: 'Request-URI Too Large', body: '<html>414</html>' })
    if (req.path === '/cgi-bin/stable_token' || req.path === '/cgi-bin/token') return reply.json({ access_token: TOKEN, expires_in: 7200 })
    if (req.query.access_token !== TOKEN) return reply.json({ errcode: 40001, errmsg: 'invalid credential' })
    return reply.json({ errcode: 0, errmsg: 'ok' })
  })
}

const tokenRequests = (wx) => wx.requests.filter((r) => /token/.test(r.path)).length

/**
 * A store every "process" (client) shares, whose locks never expire: it keeps no TTLs, as a store that
 * ignores them would. `setIfAbsent` is the honest one unless replaced.
 */
function store(initial = {}) {
  const data = new Map(Object.entries(initial))
  return {
    data,
    get: async (key) => (data.has(key) ? data.get(key) : null),
    set: async (key, value) => void data.set(key, value),
    del: async (key) => void data.delete(key),
    setIfAbsent: async (key, value) => !data.has(key) && Boolean(data.set(key, value)),
  }
}

const record = (token) => JSON.stringify({ token, expiresAt: Date.now() + 3600e3, refreshAt: Date.now() + 3000e3 })

/** Every event of `client` and everything written to stderr meanwhile, as one string to search. */
function witness(t, client) {
  const seen = []
  for (const kind of ['request', 'response', 'retry', 'token']) client.on(kind, (e) => seen.push(JSON.stringify(e)))
  const write = process.stderr.write
  process.stderr.write = function (chunk, ...rest) {
    seen.push(String(chunk))
    return write.call(this, chunk, ...rest)
  }
  const warned = (w) => seen.push(String(w && w.message))
  process.on('warning', warned)
  t.teardown(() => {
    process.stderr.write = write
    process.off('warning', warned)
  })
  return () => seen.join('\n')
}

// --- Class 6: a lock left by a crashed process, in a store that never expires it, failed every call with
// -604102 (the wait for the holder was 21 s, a call's timeout 15 s) and no token was ever requested.

const STALE_LOCKS = {
  'a lock left in a store that never expires it': () => store({ [LOCK_KEY]: 'crashed-process-lock' }),
  'a setIfAbsent that always answers false': () => ({ ...store(), setIfAbsent: async () => false }),
}

for (const [name, makeStore] of Object.entries(STALE_LOCKS)) {
  test(`${name}: a call takes over within its deadline with one token request, and the next process uses that token`, async (t) => {
    const wx = await wechat()
    t.teardown(() => wx.close())
    const shared = makeStore()
    // A short timeout keeps the test quick; the bound is derived from it, as from the default 15 s.
    const options = { ...APP, apiBase: wx.url, store: shared, timeout: 3000, maxAttempts: 1 }
    const started = Date.now()
    const first = await cloud.createClient(options).openapi.logistics.getAllAccount({}).catch((e) => e)
    t.is(first.errCode, 0, `${first.errCode} ${first.errMsg} after ${Date.now() - started} ms`)
    t.true(Date.now() - started < 3000, `took ${Date.now() - started} ms`)
    t.is(tokenRequests(wx), 1)
    t.is(JSON.parse(shared.data.get(TOKEN_KEY)).token, TOKEN, 'the token was published')
    // Another process on the same store: the published token, no request, no wait.
    const again = Date.now()
    t.is((await cloud.createClient(options).openapi.logistics.getAllAccount({})).errCode, 0)
    t.true(Date.now() - again < 1000, `took ${Date.now() - again} ms`)
    t.is(tokenRequests(wx), 1)
  })
}

test('with the default 15 s timeout, a call behind a lock that never clears succeeds in about 5 s', async (t) => {
  const wx = await wechat()
  t.teardown(() => wx.close())
  const started = Date.now()
  const client = cloud.createClient({ ...APP, apiBase: wx.url, store: STALE_LOCKS['a lock left in a store that never expires it'](), maxAttempts: 1 })
  const result = await client.openapi.logistics.getAllAccount({}).catch((e) => e)
  t.is(result.errCode, 0, `${result.errCode} ${result.errMsg} after ${Date.now() - started} ms`)
  t.true(Date.now() - started < 10000, `took ${Date.now() - started} ms`)
  t.is(tokenRequests(wx), 1)
})

// --- Class 7: a stored token of any size or characters was sent: 70 KB failed every call (URI too long) until
// it expired; one with `&`, `#`, spaces went out as the credential.

const BAD_TOKENS = {
  '70 KB': 'X'.repeat(70 * 1024),
  'a query string': 'BADTOKEN&appid=wxother#frag',
  'spaces and a percent': 'BADTOKEN with %20 spaces',
  'control characters': 'BADTOKEN\r\nX-Injected: 1',
  'non-ASCII': 'BADTOKEN令牌',
}

for (const [name, bad] of Object.entries(BAD_TOKENS)) {
  test(`a stored token of ${name} is treated as absent: fetched anew, overwritten, never sent nor shown`, async (t) => {
    const wx = await wechat()
    t.teardown(() => wx.close())
    const shared = store({ [TOKEN_KEY]: record(bad) })
    const client = cloud.createClient({ ...APP, apiBase: wx.url, store: shared, maxAttempts: 1 })
    const seen = witness(t, client)
    const result = await client.openapi.logistics.getAllAccount({}).catch((e) => e)
    t.is(result.errCode, 0, `${result.errCode} ${result.errMsg}`)
    t.is(tokenRequests(wx), 1)
    t.is(JSON.parse(shared.data.get(TOKEN_KEY)).token, TOKEN, 'the bad record was overwritten')
    const sent = wx.requests.filter((r) => !/token/.test(r.path)).map((r) => r.query.access_token)
    t.deepEqual(sent, [TOKEN], 'only the fetched token was sent')
    t.false(seen().includes('BADTOKEN') || seen().includes('XXXXXXXX'), 'the bad value appears in no event or log')
  })
}

test('a bad stored token never appears in an error', async (t) => {
  // WeChat down: the call fails; its error names no stored value.
  const wx = await rawServer((req, reply) => reply.send({ status: 503, body: 'down' }))
  t.teardown(() => wx.close())
  const shared = store({ [TOKEN_KEY]: record('BADTOKEN&x=1 ' + 'X'.repeat(5000)) })
  const client = cloud.createClient({ ...APP, apiBase: wx.url, store: shared, maxAttempts: 1, timeout: 2000 })
  const error = await client.openapi.logistics.getAllAccount({}).catch((e) => e)
  t.true(error instanceof cloud.OpenApiError)
  const shown = JSON.stringify({ message: error.message, errMsg: error.errMsg, details: error.details, stack: error.stack })
  t.false(shown.includes('BADTOKEN') || shown.includes('XXXXXXXX'), shown)
  // A count: a failing deepEqual would print the requests, bad token and all.
  t.is(wx.requests.filter((r) => !/token/.test(r.path)).length, 0, 'the bad token was never sent')
})

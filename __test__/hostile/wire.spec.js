'use strict'
// The wire's hardening (classes 7–10 of the hardening issue) beyond answers.spec.js: every credential the client
// holds is scrubbed from everything an echoing WeChat sends back; config errors never quote a URL's credentials;
// unreadable answers keep their (scrubbed) text; the big-number mark cannot be forged by data.

const test = require('ava')
const path = require('node:path')
const cloud = require('../..')
const json = require('../../lib/json.js')
const { runNode } = require('../helpers/run-node.js')
const { everythingAbout } = require('../helpers.js')
const { rawServer, withToken } = require('./raw-server.js')

const APP = { appid: 'wxhostile000000001', secret: 'hostile-secret-000000000000001' }
const TOKEN = 'hostile-token-BBBBBBBBBBBBBBBBBBBBBBBBBBBBBB01'
const CHILD = path.join(__dirname, 'wire-child.js')

async function outcome(promise) {
  return promise.then((value) => ({ value }), (error) => ({ error }))
}

/** Runs a wire-child scenario against `wx`; the parsed RESULT and everything the child wrote. */
async function child(t, args) {
  const { code, stdout, stderr } = await runNode(CHILD, args)
  t.is(code, 0, `${stdout}\n${stderr}`)
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '))
  return { stdout, stderr, result: JSON.parse(line.slice('RESULT '.length)) }
}

/** Everything a caller or an operator sees of one run, as one text. */
function seen({ stdout, stderr, result }) {
  return [stdout, stderr, JSON.stringify(result.fields), result.inspected, result.text, JSON.stringify(result.events)].join('\n')
}

/** An answer that echoes `what` every way: in errmsg, as the rid, and the whole request as a JSON string field. */
function echo(req, what, errcode = 48001) {
  const request = `${req.method} ${req.target} ${JSON.stringify(req.headers)} ${req.body}`
  return { errcode, errmsg: `refused ${what.join(' and ')}; request was ${request} rid: ${what[0]}`, request }
}

// --- Class 8: credentials echoed back ---

test('class 8: a ticket, a refresh token, the component token and the authorizer token echoed back appear nowhere', async (t) => {
  const ticket = 'ticket@@@HOSTILE-TICKET-000000000000000001'
  const refresh = 'refreshtoken@@@HOSTILE-REFRESH-00000000001'
  const componentToken = 'HOSTILE-COMPONENT-TOKEN-00000000000000001'
  const authorizerToken = 'HOSTILE-AUTHORIZER-TOKEN-0000000000000001'
  const secrets = [ticket, refresh, componentToken, authorizerToken, 'HOSTILE-TICKET', 'HOSTILE-REFRESH', 'HOSTILE-COMPONENT', 'HOSTILE-AUTHORIZER']
  for (const refuse of ['component', 'authorizer', 'call']) {
    const wx = await rawServer((req, reply) => {
      const body = req.body ? JSON.parse(req.body) : {}
      if (req.path === '/cgi-bin/component/api_component_token') {
        if (refuse === 'component') return reply.json(echo(req, [body.component_verify_ticket, body.component_appsecret]))
        return reply.json({ component_access_token: componentToken, expires_in: 7200 })
      }
      if (req.path === '/cgi-bin/component/api_authorizer_token') {
        if (refuse === 'authorizer') return reply.json(echo(req, [body.authorizer_refresh_token, req.query.component_access_token]))
        return reply.json({ authorizer_access_token: authorizerToken, authorizer_refresh_token: refresh, expires_in: 7200 })
      }
      return reply.json(echo(req, [req.query.access_token]))
    })
    t.teardown(() => wx.close())
    const run = await child(t, ['platform', wx.url, ticket, refresh])
    t.is(run.result.fields.errCode, 48001, refuse)
    t.regex(run.stderr, /\[wechat-openapi\] logistics\.getAllAccount status=\d+ errcode=48001/, 'the debug log ran')
    t.regex(run.result.fields.errMsg, /\[redacted\]/)
    t.deepEqual(secrets.filter((s) => seen(run).includes(s)), [], refuse)
    t.false(seen(run).includes(COMPONENT_SECRET), refuse)
  }
})

const COMPONENT_SECRET = require('../component-helpers.js').COMPONENT.secret

test('class 8: the token and the secret echoed in headers-as-body, an HTML page or JSON are in no error property, event or log line', async (t) => {
  const answers = {
    html: (req, reply) => reply.send({ status: 200, headers: { 'Content-Type': 'text/html' }, body: `<html><pre>${echo(req, [req.query.access_token]).errmsg}</pre></html>` }),
    errcode: (req, reply) => reply.json({ ...echo(req, [req.query.access_token]), errcode: `E${req.query.access_token}` }),
    broken: (req, reply) => reply.json(`{"errcode":40013,"errmsg":"${req.target} ${req.query.access_token}`),
    status: (req, reply) => reply.send({ status: 400, headers: { 'Content-Type': 'text/plain', 'X-Echo': req.target }, body: `${req.method} ${req.target}` }),
  }
  for (const [name, answer] of Object.entries(answers)) {
    const wx = await rawServer((req, reply) => {
      if (req.path === '/cgi-bin/stable_token' || req.path === '/cgi-bin/token') return reply.json({ access_token: TOKEN, expires_in: 7200 })
      return answer(req, reply)
    })
    t.teardown(() => wx.close())
    const run = await child(t, ['app', wx.url, APP.appid, APP.secret])
    t.is(run.result.fields.errCode, -601001, name)
    t.is(typeof run.result.fields.raw, 'string', `${name}: the answer's text is kept`)
    t.true(run.result.fields.raw.length <= 310, name)
    t.false(seen(run).includes(TOKEN), name)
    t.false(seen(run).includes('hostile-token-BBBB'), name)
    t.false(seen(run).includes(APP.secret), name)
  }
})

test('class 8: the secret echoed by the token endpoint in every field of a garbled answer appears nowhere', async (t) => {
  const wx = await rawServer((req, reply) => reply.json(`{"errcode":"${APP.secret}","errmsg":"${APP.secret} rid: ${APP.secret}","body":${JSON.stringify(req.body)}}`))
  t.teardown(() => wx.close())
  const run = await child(t, ['app', wx.url, APP.appid, APP.secret])
  t.is(run.result.fields.errCode, -601001)
  t.false(seen(run).includes(APP.secret))
  t.false(seen(run).includes('hostile-secret'))
})

test('class 8: a Redis password given as ?pass= or ?password= in a redis+unix:// URL never reaches stderr or errors', async (t) => {
  for (const key of ['pass', 'password']) {
    const password = `redispw-${key}-0123456789`
    const wx = await rawServer(withToken(TOKEN, (req, reply) => reply.json({ errcode: 0, errmsg: 'ok', list: [] })))
    t.teardown(() => wx.close())
    const store = `redis+unix:///nonexistent/wechat-openapi-test.sock?db=0&${key}=${password}`
    const run = await child(t, ['redis', wx.url, store, APP.appid, APP.secret])
    t.regex(run.stderr, /Redis at redis\+unix:\/\/\/nonexistent\/wechat-openapi-test\.sock\?db=0&(pass|password)=\[redacted\]/, run.stderr)
    t.false(seen(run).includes(password), key)
    t.false(seen(run).includes('redispw'), key)
  }
})

/** Config errors whose apiBase quotes a proxy's credentials, given as an option and through WECHAT_API_BASE. */
test('class 8: a config error never quotes a URL credential, whatever its characters, option or environment', (t) => {
  const passwords = ['plainpassword-1', 'pass"word-2', 'pass\tword-3', "pa'ss)w,ord-4", 'pass word-5', 'pass<w>ord-6']
  for (const password of passwords) {
    // Not http(s): refused, and the refusal quotes what was given.
    const url = `ftp://proxyuser:${password}@proxy.example:3128/`
    const asOption = t.throws(() => cloud.createClient({ ...APP, apiBase: url }))
    const saved = process.env.WECHAT_API_BASE
    process.env.WECHAT_API_BASE = url
    let fromEnv
    try {
      fromEnv = t.throws(() => cloud.createClient(APP))
    } finally {
      if (saved === undefined) delete process.env.WECHAT_API_BASE
      else process.env.WECHAT_API_BASE = saved
    }
    for (const [where, e] of [['option', asOption], ['env', fromEnv]]) {
      t.true(e instanceof cloud.OpenApiError, where)
      t.is(e.errCode, -601002, where)
      t.regex(e.message, /apiBase/, where)
      const text = everythingAbout(e)
      t.false(text.includes(password), `${where}: ${JSON.stringify(password)} in ${e.message}`)
      t.false(/word-\d/.test(text), `${where}: part of ${JSON.stringify(password)} in ${e.message}`)
    }
  }
})

// --- Class 9: answers that are neither success nor WeChat's error ---

test('class 9: an HTML page from a row that never answers binary is -601001 with the page kept, not a success', async (t) => {
  const page = '<html><head><title>Portal</title></head><body>Please log in to the Wi-Fi</body></html>'
  const wx = await rawServer(withToken(TOKEN, (req, reply) => reply.send({ headers: { 'Content-Type': 'text/html' }, body: page })))
  t.teardown(() => wx.close())
  const client = cloud.createClient({ ...APP, apiBase: wx.url, maxAttempts: 1 })
  const { value, error } = await outcome(client.openapi.logistics.getAllAccount({}))
  t.is(value, undefined)
  t.true(error instanceof cloud.OpenApiError)
  t.is(error.errCode, -601001)
  t.is(error.raw, page)
  t.is(error.httpStatus, 200)
})

test('class 9: an odd errcode keeps the answer on err.raw, scrubbed and cut to a few hundred bytes', async (t) => {
  const wx = await rawServer(withToken(TOKEN, (req, reply) => reply.json(`{"errcode":"E40001","errmsg":"token ${req.query.access_token}","pad":"${'x'.repeat(5000)}"}`)))
  t.teardown(() => wx.close())
  const client = cloud.createClient({ ...APP, apiBase: wx.url, maxAttempts: 1 })
  const error = await t.throwsAsync(client.openapi.logistics.getAllAccount({}))
  t.is(error.errCode, -601001)
  t.regex(error.message, /errcode that is not an integer: "E40001"/)
  t.true(error.raw.startsWith('{"errcode":"E40001","errmsg":"token [redacted]"'), error.raw)
  t.true(Buffer.byteLength(error.raw) <= 310)
  t.true(error.raw.endsWith('…'))
  t.false(everythingAbout(error).includes(TOKEN))
  // A success or WeChat's own error has no raw.
  const wechat = await rawServer(withToken(TOKEN, (req, reply) => reply.json({ errcode: 40013, errmsg: 'invalid appid' })))
  t.teardown(() => wechat.close())
  const e = await t.throwsAsync(cloud.createClient({ ...APP, apiBase: wechat.url, maxAttempts: 1 }).openapi.logistics.getAllAccount({}))
  t.is(e.errCode, 40013)
  t.false('raw' in e)
})

test('class 9: openapi.request (a raw path) still returns bytes', async (t) => {
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3])
  const wx = await rawServer(withToken(TOKEN, (req, reply) => reply.send({ headers: { 'Content-Type': 'image/png' }, body: png.toString('latin1') })))
  t.teardown(() => wx.close())
  const client = cloud.createClient({ ...APP, apiBase: wx.url, maxAttempts: 1 })
  const res = await client.openapi.request({ method: 'POST', path: '/wxa/getwxacodeunlimit', data: { scene: 'a=1' } })
  t.is(res.contentType, 'image/png')
})

// --- Class 7: redirects ---

test('class 7: a redirect is -601001 naming its status, not retried, never quoting the Location', async (t) => {
  for (const status of [301, 302, 303, 307, 308]) {
    const wx = await rawServer(withToken(TOKEN, (req, reply) => reply.redirect(status, `http://user:locationpassword@127.0.0.1:9/x?access_token=${TOKEN}`)))
    t.teardown(() => wx.close())
    const client = cloud.createClient({ ...APP, apiBase: wx.url, maxAttempts: 3 })
    const error = await t.throwsAsync(client.openapi.logistics.getAllDelivery({}))
    t.is(error.errCode, -601001)
    t.is(error.httpStatus, status)
    t.false(error.retryable)
    t.is(error.attempts, 1, 'an idempotent row is not retried either')
    t.regex(error.message, new RegExp(`HTTP ${status}`))
    t.false(everythingAbout(error).includes('locationpassword'))
    t.false(everythingAbout(error).includes(TOKEN))
  }
})

// --- Class 10: the big-number mark ---

test('class 10: the mark is this process\'s own, random, and a string that looks like the old one stays a string', async (t) => {
  t.regex(json.MARK, /^\u0000wxbig:[0-9a-f]{32}:$/)
  const forged = ['\u0000wxbig:42', '\u0000wxbig:12345678901234567890', `${json.MARK.slice(0, -1)}42`]
  const wx = await rawServer(withToken(TOKEN, (req, reply) => reply.json(`{"errcode":0,"echo":${req.body || '{}'},"looks":"\\u0000wxbig:hello","n":12345678901234567890}`)))
  t.teardown(() => wx.close())
  const client = cloud.createClient({ ...APP, apiBase: wx.url, maxAttempts: 1 })
  const res = await client.openapi.request({ method: 'POST', path: '/x/echo', data: { forged, big: 12345678901234567890n } })
  const sent = JSON.parse(wx.requests.find((r) => r.path === '/x/echo').body)
  t.deepEqual(sent.forged, forged, 'sent as strings')
  t.is(typeof sent.big, 'number', 'a BigInt is sent as a number')
  t.true(wx.requests.find((r) => r.path === '/x/echo').body.includes('"big":12345678901234567890'))
  t.deepEqual(res.echo.forged, forged, 'answered strings stay strings')
  t.is(res.echo.big, 12345678901234567890n)
  t.is(res.looks, '\u0000wxbig:hello')
  t.is(res.n, 12345678901234567890n)
})

test('class 10: json.decode revives only the mark followed by an integer', (t) => {
  const text = JSON.stringify({ a: `${json.MARK}-42`, b: `${json.MARK}4x2`, c: `${json.MARK}`, d: '\u0000wxbig:7' })
  t.deepEqual(json.decode(text, 1), { a: -42n, b: `${json.MARK}4x2`, c: json.MARK, d: '\u0000wxbig:7' })
  t.is(json.encode({ n: 5n, s: '\u0000wxbig:5' }), `{"n":${JSON.stringify(`${json.MARK}5`)},"s":"\\u0000wxbig:5"}`)
})

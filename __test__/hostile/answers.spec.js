'use strict'
// Hostile answers from a raw fake WeChat (raw-server.js). These guard the transport and the answer parsing;
// where the SDK is wrong today the test is `test.failing` naming the class of the hardening issue it belongs
// to, so the Rust side can fix it and flip the test to `test`.

const test = require('ava')
const path = require('node:path')
const cloud = require('../..')
const { runNode } = require('../helpers/run-node.js')
const { everythingAbout } = require('../helpers.js')
const { rawServer, withToken } = require('./raw-server.js')

const APP = { appid: 'wxhostile000000001', secret: 'hostile-secret-000000000000001' }
const TOKEN = 'hostile-token-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA01'
const CHILD = path.join(__dirname, 'child.js')

/** Another host, the redirect's target: answers everything with success, so following the redirect "works". */
async function otherHost(t) {
  const other = await rawServer((req, reply) => reply.json({ errcode: 0, errmsg: 'ok', access_token: 'OTHER-HOST-TOKEN', expires_in: 7200 }))
  t.teardown(() => other.close())
  return other
}

async function outcome(promise) {
  return promise.then((value) => ({ value }), (error) => ({ error }))
}

// --- Redirects (hardening class 7): WeChat never redirects; following one sends the token (a query parameter)
// or the secret (the stable_token body) to whatever host the answer names.

/**
 * A call through a raw WeChat whose answers come from `script(redirect)`, where `redirect(req, reply)` sends a
 * `status` redirect to the same target on another host. Asserts the other host received nothing, the call
 * failed with an OpenApiError and `secret` is nowhere in it.
 */
async function notFollowed(t, status, script, secret) {
  const other = await otherHost(t)
  const wx = await rawServer(script((req, reply) => reply.redirect(status, other.url + req.target)))
  t.teardown(() => wx.close())
  const client = cloud.createClient({ ...APP, apiBase: wx.url, maxAttempts: 1 })
  const { value, error } = await outcome(client.openapi.logistics.getAllAccount({}))
  t.deepEqual(other.requests.map((r) => r.target), [])
  t.is(value, undefined)
  t.true(error instanceof cloud.OpenApiError)
  t.false(everythingAbout(error).includes(secret))
}

for (const status of [307, 308]) {
  // Class 7 of the hardening issue: no redirect is ever followed (the transport follows none).
  test(`a ${status} from the token endpoint is not followed: the other host receives nothing`, (t) =>
    notFollowed(t, status, (redirect) => redirect, APP.secret))

  // Class 7 of the hardening issue: no redirect is ever followed (the transport follows none).
  test(`a ${status} from a call is not followed: the other host receives nothing`, (t) =>
    notFollowed(t, status, (redirect) => withToken(TOKEN, redirect), TOKEN))
}

// --- errcode values that are not a number WeChat sends (hardening class 9): none of them means success.

const ODD_ERRCODES = ['"E40001"', '4.0001e4', 'true', '12345678901234567890', 'null', '{"code":40001}']

for (const raw of ODD_ERRCODES) {
  // Class 9 of the hardening issue: an errcode that is not a plain integer is -601001, never success.
  test(`errcode ${raw} in a call's answer is not reported as success`, async (t) => {
    const wx = await rawServer(withToken(TOKEN, (req, reply) => reply.json(`{"errcode":${raw},"errmsg":"something is wrong"}`)))
    t.teardown(() => wx.close())
    const client = cloud.createClient({ ...APP, apiBase: wx.url, maxAttempts: 1 })
    const { value, error } = await outcome(client.openapi.logistics.getAllAccount({}))
    t.is(value, undefined, `resolved with ${JSON.stringify(value, (k, v) => (typeof v === 'bigint' ? String(v) : v))}`)
    t.true(error instanceof cloud.OpenApiError)
    t.not(error && error.errCode, 0)
  })

  // Class 9 of the hardening issue, at the token endpoint: the access_token beside an odd errcode is not used.
  test(`errcode ${raw} in the token endpoint's answer is not reported as success`, async (t) => {
    const wx = await rawServer((req, reply) => {
      if (req.path === '/cgi-bin/stable_token' || req.path === '/cgi-bin/token') {
        return reply.json(`{"errcode":${raw},"errmsg":"something is wrong","access_token":"${TOKEN}","expires_in":7200}`)
      }
      return reply.json({ errcode: 0, errmsg: 'ok' })
    })
    t.teardown(() => wx.close())
    const client = cloud.createClient({ ...APP, apiBase: wx.url, maxAttempts: 1 })
    const { value, error } = await outcome(client.openapi.logistics.getAllAccount({}))
    t.is(value, undefined)
    t.true(error instanceof cloud.OpenApiError)
    t.deepEqual(wx.requests.map((r) => r.path).filter((p) => !p.includes('token')), [], 'the token was not used')
  })
}

test('a numeric-string errcode "40001" is an error, and errcode 0 or none is success', async (t) => {
  const answers = [['{"errcode":"48001","errmsg":"api unauthorized"}', 48001], ['{"errcode":0,"errmsg":"ok"}', 0], ['{"list":[]}', 0]]
  for (const [body, code] of answers) {
    const wx = await rawServer(withToken(TOKEN, (req, reply) => reply.json(body)))
    t.teardown(() => wx.close())
    const client = cloud.createClient({ ...APP, apiBase: wx.url, maxAttempts: 1 })
    const got = await client.openapi.logistics.getAllAccount({}).then((r) => r.errCode, (e) => e.errCode)
    t.is(got, code, body)
  }
})

// --- A token echoed back (hardening class 8): WeChat's errmsg and rid are quoted in errors, events and the debug
// log; a hostile or buggy answer that echoes the token or the secret must not carry it there.

/** One run of the `echo` child against a raw WeChat that echoes each call's token in errmsg and as the rid. */
function echoRun() {
  echoRun.once = echoRun.once || (async () => {
    let issued = 0
    const tokens = []
    const wx = await rawServer((req, reply) => {
      if (req.path === '/cgi-bin/stable_token' || req.path === '/cgi-bin/token') {
        issued += 1
        const token = `${TOKEN}-${issued}`
        tokens.push(token)
        return reply.json({ access_token: token, expires_in: 7200 })
      }
      // Echo the token the call carried, in the errmsg and as the rid, with a code that renews the token.
      const token = req.query.access_token
      return reply.json({ errcode: 40001, errmsg: `invalid credential, access_token is ${token} rid: ${token}` })
    })
    try {
      const { code, stdout, stderr } = await runNode(CHILD, ['echo', wx.url, APP.appid, APP.secret])
      const line = stdout.split('\n').find((l) => l.startsWith('RESULT '))
      return { code, stdout, stderr, tokens, result: line ? JSON.parse(line.slice('RESULT '.length)).result : undefined }
    } finally {
      await wx.close()
    }
  })()
  return echoRun.once
}

/** Which of `tokens` (or their common prefix) occur in `text`. */
function leaked(text, tokens) {
  return [...tokens, TOKEN].filter((token) => text.includes(token))
}

test("a token echoed in errmsg is redacted from the error's errMsg, message, stack and String()", async (t) => {
  const { code, stdout, stderr, tokens, result } = await echoRun()
  t.is(code, 0, `${stdout}\n${stderr}`)
  t.true(tokens.length >= 2, 'the token was renewed')
  t.is(result.fields.errCode, 40001)
  const { errMsg, message, stack } = result.fields
  t.deepEqual(leaked([errMsg, message, stack, result.text].join('\n'), tokens), [])
  t.regex(errMsg, /\[redacted\]/)
})

// Class 8 of the hardening issue: WeChat's errmsg is scrubbed of every held credential before the rid is read
// from it, so an echoed token reaches neither err.rid, the 'retry'/'response' events' rid nor the debug log line.
test('a token echoed as the rid appears in no error property, event or debug log line', async (t) => {
  const { code, stdout, stderr, tokens, result } = await echoRun()
  t.is(code, 0, `${stdout}\n${stderr}`)
  t.regex(stderr, /\[wechat-openapi\] logistics\.getAllAccount status=200 errcode=40001/, 'the debug log ran')
  t.deepEqual(leaked(JSON.stringify(result.fields), tokens), [], 'error properties')
  t.deepEqual(leaked(result.inspected, tokens), [], 'util.inspect of the error')
  t.deepEqual(leaked(JSON.stringify(result.events), tokens), [], 'events')
  t.deepEqual(leaked(stderr, tokens), [], 'debug log')
  t.false(`${stdout}\n${stderr}`.includes(APP.secret))
})

test('a secret echoed by the token endpoint appears in no error property, event or debug log line', async (t) => {
  const wx = await rawServer((req, reply) =>
    reply.json({ errcode: 40125, errmsg: `invalid appsecret ${APP.secret} rid: ${APP.secret}` }))
  t.teardown(() => wx.close())
  const { code, stdout, stderr } = await runNode(CHILD, ['echo', wx.url, APP.appid, APP.secret])
  t.is(code, 0, `${stdout}\n${stderr}`)
  t.regex(stdout, /"errCode":40125/)
  t.false(`${stdout}\n${stderr}`.includes(APP.secret), `${stdout}\n${stderr}`)
  t.false(`${stdout}\n${stderr}`.includes('hostile-secret'), 'not even a prefix of it')
})

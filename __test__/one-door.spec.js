'use strict'
// One door for every call: the platform flows cross into the core the way openapi.* does (same thread, same
// connection pool, same AbortSignal), and names resolve at any depth, answering `in`/keys/hasOwn from the table.

const test = require('ava')
const fs = require('node:fs')
const cloud = require('..')
const { COMPONENT, recordingStore, serve } = require('./component-helpers.js')

const OWN_APP = { appid: 'wxplatformownapp01', secret: 'platform-own-app-secret-000001' }

/** This process's established TCP connections to `port` on 127.0.0.1 (client side), from /proc/net/tcp. */
function establishedTo(port) {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0')
  const rows = fs.readFileSync('/proc/net/tcp', 'utf8').trim().split('\n').slice(1)
  return rows.map((r) => r.trim().split(/\s+/)).filter((f) => f[2] === `0100007F:${hexPort}` && f[3] === '01').length
}

async function platform(t) {
  const emu = await cloud.startEmulator({ port: 0, apps: [OWN_APP], components: [COMPONENT] })
  t.teardown(() => emu.close())
  const client = cloud.createClient({ ...OWN_APP, component: COMPONENT, apiBase: emu.url, store: recordingStore() })
  const server = await serve(client.component.pushHandler())
  t.teardown(server.close)
  await emu.pushTicket(server.url)
  return { emu, client }
}

test('a platform flow and an openapi call made one after the other share one keep-alive connection', async (t) => {
  if (process.platform !== 'linux') return t.pass('reads /proc/net/tcp')
  const { emu, client } = await platform(t)
  const port = Number(new URL(emu.url).port)
  t.is(establishedTo(port), 0)
  const { preAuthCode } = await client.component.getPreAuthCode()
  t.true(preAuthCode.length > 0)
  await client.openapi.logistics.getAllAccount({})
  await client.component.getPreAuthCode({ timeout: 5000 })
  await client.openapi.logistics.getAllAccount({})
  t.is(establishedTo(port), 1, 'one socket for the component token, the pre-auth codes, the app token and the calls')
})

test('cloud.component.* takes { signal, timeout } like any call', async (t) => {
  const { emu, client } = await platform(t)
  await client.component.getPreAuthCode()
  await emu.injectFault({ name: 'component.getPreAuthCode', delayMs: 3000 })
  const controller = new AbortController()
  setTimeout(() => controller.abort(new Error('the user left')), 100)
  const started = Date.now()
  const aborted = await t.throwsAsync(client.component.getPreAuthCode({ signal: controller.signal }))
  t.true(Date.now() - started < 2000, 'stopped where it stood')
  t.is(aborted.name, 'OpenApiError')
  t.is(aborted.errCode, cloud.SDK_CODES.TIMEOUT ?? -604102)
  t.regex(aborted.errMsg, /^openapi\.component\.getPreAuthCode:fail .*aborted/)
  const already = await t.throwsAsync(client.component.queryAuth('code', { signal: AbortSignal.abort() }))
  t.regex(already.errMsg, /^openapi\.component\.queryAuth:fail .*aborted/)
  const late = await t.throwsAsync(client.component.startPushTicket({ timeout: 0.5 }))
  t.regex(late.errMsg, /timeout must be a whole number/)
  const unknown = await t.throwsAsync(client.component.getPreAuthCode({ convertCase: false }))
  t.regex(unknown.errMsg, /unknown option "convertCase"/)
  await emu.injectFault({ name: 'component.getPreAuthCode', delayMs: 3000 })
  const timedOut = await t.throwsAsync(client.component.getPreAuthCode({ timeout: 300 }))
  t.is(timedOut.errCode, -604102)
  await t.notThrowsAsync(client.warmToken({ timeout: 5000 }))
})

test('names at any depth: in, Object.keys and hasOwn agree with the table; unknown names reject with -604100', async (t) => {
  const { openapi } = cloud.createClient({ appid: 'wx0000000000000001', accessToken: 'a-fixed-token', apiBase: 'http://127.0.0.1:9' })
  t.true('getAllAccount' in openapi.logistics)
  t.true('logistics' in openapi)
  t.true('request' in openapi)
  t.false('noSuchNamespace' in openapi)
  t.false('noSuchMethod' in openapi.logistics)
  t.true(Object.keys(openapi.logistics).includes('getAllAccount'))
  t.true(Object.hasOwn(openapi.logistics, 'getAllAccount'))
  t.false(Object.hasOwn(openapi.logistics, 'noSuchMethod'))
  t.true(Object.keys(openapi).includes('logistics'))
  for (const name of cloud.catalogue.names()) {
    const parts = name.split('.')
    let at = openapi
    for (const part of parts) {
      t.true(part in at, `${part} in ${name}`)
      t.true(Object.keys(at).includes(part), `keys list ${part} of ${name}`)
      at = at[part]
    }
    t.is(typeof at, 'function')
  }
  t.is(typeof openapi.wxa.sec.order.uploadShippingInfo, 'function')
  t.is(openapi.logistics.getAllAccount.name, 'getAllAccount')
  for (const fn of [openapi.no.such.thing, openapi.no.such.deep.thing, openapi.logistics.getAllAccount.nested]) {
    const e = await t.throwsAsync(fn({}))
    t.is(e.errCode, -604100)
    t.regex(e.errMsg, /unknown API openapi\./)
  }
  const near = await t.throwsAsync(openapi.logistics.getAllAcount.x({}))
  t.regex(near.errMsg, /did you mean/)
  t.is(String(openapi.a.b.c), 'openapi.a.b.c')
  t.is(await Promise.resolve(openapi.a.b), openapi.a.b, 'not a thenable')
})

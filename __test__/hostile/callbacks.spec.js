'use strict'
// Hardening class 2: user callbacks never crash the host or reject into a promise nobody holds. Each throw of a
// callback the SDK calls on its own (push handler onError, event listeners, refresh-token listeners and hook) is
// a process warning naming the callback; the server keeps serving and the call keeps its result.

const test = require('ava')
const path = require('node:path')
const { runNode } = require('../helpers/run-node.js')
const { ComponentApi, refreshTokenHook } = require('../../lib/component.js')

const CHILD = path.join(__dirname, 'child.js')

async function child(t, ...args) {
  const { code, stdout, stderr } = await runNode(CHILD, args)
  t.is(code, 0, `${stdout}\n${stderr}`)
  t.notRegex(stderr, /unhandled/i)
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '))
  t.truthy(line, `${stdout}\n${stderr}`)
  return line ? JSON.parse(line.slice('RESULT '.length)) : { result: {}, warnings: [] }
}

for (const kind of ['sync', 'async']) {
  test(`pushHandler: an onError that throws (${kind}) does not kill a node:http server; the next POST is answered`, async (t) => {
    const { result, warnings } = await child(t, 'pushOnError', kind)
    t.is(result.statuses.length, 2)
    for (const [status] of result.statuses) t.is(status, 400)
    t.deepEqual(result.seen, [-601002, -601002])
    t.is(warnings.filter((w) => /pushHandler onError threw: onError exploded/.test(w)).length, 2, warnings.join('\n'))
  })
}

test('event listeners that throw, reject, or throw an unprintable value: warnings naming them, the call succeeds', async (t) => {
  const { result, warnings } = await child(t, 'listeners')
  t.is(result.errCode, 0)
  t.true(warnings.some((w) => /'request' listener threw/.test(w)), warnings.join('\n'))
  t.true(warnings.some((w) => /'response' listener threw: async response listener down/.test(w)), warnings.join('\n'))
  t.true(warnings.some((w) => /'token' listener threw/.test(w)), warnings.join('\n'))
})

test('component listeners failing every way at once: 500 (WeChat pushes again), every listener ran, no crash', async (t) => {
  const { result } = await child(t, 'pushListeners')
  t.deepEqual(result.statuses, [[500, 'internal error'], [500, 'internal error']])
  t.deepEqual(result.called, ['async', 'sync', 'nasty'])
  t.is(result.failures.length, 2)
})

/** Collects process warnings for the rest of the test. */
function collectWarnings(t) {
  const warnings = []
  const onWarning = (w) => warnings.push(w.message)
  process.on('warning', onWarning)
  t.teardown(() => process.off('warning', onWarning))
  return warnings
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 50))

test("a 'refreshToken' listener that throws neither stops onRefreshTokenRotated nor the other listeners", async (t) => {
  const warnings = collectWarnings(t)
  const component = new ComponentApi(() => undefined)
  const seen = []
  component.on('refreshToken', () => { throw new Error('listener one down') })
  component.on('refreshToken', async () => { throw new Error('listener two down') })
  component.on('refreshToken', (e) => seen.push(['listener', e.authorizerAppid]))
  const hook = refreshTokenHook(component, (e) => seen.push(['onRefreshTokenRotated', e.authorizerAppid]))
  const event = { componentAppid: 'wxcomponent0000001', authorizerAppid: 'wxmerchant00000001', refreshToken: 'refreshtoken@@@secretvalue' }
  await t.notThrowsAsync(hook(event))
  await settle()
  t.deepEqual(seen, [['listener', 'wxmerchant00000001'], ['onRefreshTokenRotated', 'wxmerchant00000001']])
  t.true(warnings.some((w) => /'refreshToken' listener threw: listener one down/.test(w)), warnings.join('\n'))
  t.true(warnings.some((w) => /'refreshToken' listener threw: listener two down/.test(w)), warnings.join('\n'))
  t.false(warnings.join('\n').includes('secretvalue'))
})

test('onRefreshTokenRotated that throws, or throws something unprintable: a warning naming it, never a rejection', async (t) => {
  const warnings = collectWarnings(t)
  const component = new ComponentApi(() => undefined)
  const event = { componentAppid: 'wxcomponent0000001', authorizerAppid: 'wxmerchant00000001', refreshToken: 'refreshtoken@@@secretvalue' }
  await t.notThrowsAsync(refreshTokenHook(component, () => { throw new Error('database down') })(event))
  const nasty = { get message() { throw new Error('no message for you') } }
  await t.notThrowsAsync(refreshTokenHook(component, () => Promise.reject(nasty))(event))
  await settle()
  t.true(warnings.some((w) => /onRefreshTokenRotated threw: database down/.test(w)), warnings.join('\n'))
  t.true(warnings.some((w) => /onRefreshTokenRotated threw: /.test(w) && !/database/.test(w)), warnings.join('\n'))
})

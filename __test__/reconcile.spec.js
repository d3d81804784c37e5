'use strict'
// No more ambiguous orders: an addOrder that may have run (its answer lost after sending) is looked up with
// getOrder before the caller hears anything. Found → the waybill, `reconciled: true`; provably absent → sent
// again; the lookup failing → the original error. The emulator's faults run the call (`afterExecute`) or not.

const test = require('ava')
const { cloud, APP, emulator } = require('./helpers.js')
// SF with the cash-paid biz_id: no bound account needed.
const { orderParams } = require('../scripts/soak.js')

async function world(t, options = {}) {
  const emu = await emulator()
  t.teardown(() => emu.close())
  const [openid] = await emu.openids(APP.appid)
  const client = cloud.createClient({ ...APP, apiBase: emu.url, ...options })
  const events = []
  for (const kind of ['request', 'retry', 'reconcile']) client.on(kind, (e) => events.push({ kind, ...e }))
  const runs = async (orderId) => (await emu.executionsByOrder('logistics.addOrder'))[orderId] || 0
  return { emu, client, openid, events, runs }
}

test('an order that ran but lost its answer is found with getOrder and answered with reconciled: true', async (t) => {
  const { emu, client, openid, events, runs } = await world(t)
  await emu.injectFault({ name: 'logistics.addOrder', errcode: -1, afterExecute: true })
  const answer = await client.openapi.logistics.addOrder(orderParams('js-after', openid))
  t.is(answer.reconciled, true)
  t.is(answer.errCode, 0)
  t.is(answer.errMsg, 'openapi.logistics.addOrder:ok')
  t.is(answer.orderId, 'js-after')
  t.regex(answer.waybillId, /^SF/)
  t.deepEqual(answer.waybillData.map((d) => Object.keys(d).sort()), [['key', 'value'], ['key', 'value']])
  t.is(answer.printHtml, undefined, 'shaped as addOrder answers, not as getOrder')
  const stored = await client.openapi.logistics.getOrder({ orderId: 'js-after', deliveryId: 'SF' })
  t.is(stored.waybillId, answer.waybillId)
  t.is(await runs('js-after'), 1)
  const reconcile = events.find((e) => e.kind === 'reconcile')
  t.like(reconcile, { api: 'logistics.addOrder', attempt: 1, errCode: -1, category: 'busy', reason: 'found' })
  t.deepEqual(events.filter((e) => e.kind === 'request').map((e) => e.api).slice(0, 2), ['logistics.addOrder', 'logistics.getOrder'])
})

test('an order refused before it ran is provably absent and sent again', async (t) => {
  const { emu, client, openid, events, runs } = await world(t)
  await emu.injectFault({ name: 'logistics.addOrder', errcode: -1 })
  const answer = await client.openapi.logistics.addOrder(orderParams('js-before', openid))
  t.is(answer.reconciled, undefined, 'the second attempt answered itself')
  t.is(answer.orderId, 'js-before')
  t.is(await runs('js-before'), 1)
  t.deepEqual(events.map((e) => `${e.kind} ${e.api}${e.reason ? ' ' + e.reason : ''}`).filter((l) => !l.startsWith('request auth')), [
    'request logistics.addOrder',
    'request logistics.getOrder',
    'reconcile logistics.addOrder absent',
    'retry logistics.addOrder transient',
    'request logistics.addOrder',
  ])
})

test('spoiled answers after running (502, reset, broken JSON, cut-off body) are all reconciled', async (t) => {
  const { emu, client, openid, runs } = await world(t)
  for (const [seed, kind] of ['http502', 'reset', 'malformedJson', 'truncated'].entries()) {
    await emu.setFaultRates({ seed, rates: { 'logistics.addOrder': { [kind]: 1 } } })
    const answer = await client.openapi.logistics.addOrder(orderParams(`js-${kind}`, openid))
    t.is(answer.reconciled, true, kind)
    t.is(await runs(`js-${kind}`), 1, kind)
  }
  await emu.clearFaults()
})

test('when the lookup itself fails, the original ambiguous error stands', async (t) => {
  const { emu, client, openid, events, runs } = await world(t, { maxAttempts: 2 })
  await emu.injectFault({ name: 'logistics.addOrder', errcode: -1, afterExecute: true })
  await emu.injectFault({ name: 'logistics.getOrder', errcode: -1, times: 2 })
  const err = await t.throwsAsync(client.openapi.logistics.addOrder(orderParams('js-lost', openid)))
  t.true(err instanceof cloud.OpenApiError)
  t.is(err.errCode, -1)
  t.is(err.api, 'logistics.addOrder')
  t.false(err.retryable, 'it may have run')
  t.is(await runs('js-lost'), 1)
  t.is(events.find((e) => e.kind === 'reconcile').reason, 'unknown')
})

test('WECHAT_OPENAPI_LOG=debug prints a line per reconciliation', (t) => {
  const { logLine } = require('../lib/events.js')
  t.is(
    logLine('reconcile', { api: 'logistics.addOrder', reason: 'found', errCode: -1, attempt: 1 }),
    '[wechat-openapi] logistics.addOrder reconcile=found after errcode=-1 attempt=1',
  )
})

'use strict'
// The generated emulator methods: each takes its arguments by position (a leading optional appid may be left out)
// or as one object, and is the same object whichever way the emulator was started.

const test = require('ava')
const cloud = require('../index.js')
const { startEmulator, Emulator, DEMO_APP } = require('../emulator.js')
const { renderEmulator, parseParams } = require('../scripts/gen/emulator.js')

test('positional, leading-appid-omitted and object arguments reach the same action', async (t) => {
  const emu = await startEmulator()
  t.teardown(() => emu.close())
  const account = (bizId) => ({ bizId, deliveryId: 'SF' })
  t.is((await emu.seedAccounts(DEMO_APP.appid, [account('b1')])).count, 3)
  t.is((await emu.seedAccounts([account('b2')])).count, 4)
  t.is((await emu.seedAccounts({ accounts: [account('b3')] })).count, 5)
  const openids = await emu.openids()
  t.deepEqual(openids, await emu.openids(DEMO_APP.appid), 'openids resolves to the list itself')
  t.is(openids.length, 3)
  t.deepEqual(await emu.setDailyLimit('logistics.getAllAccount', 7), { appid: DEMO_APP.appid, name: 'logistics.getAllAccount', limit: 7 })
  await t.throwsAsync(emu.approveLink('wxnobody'), { message: 'approveLink: no pending link to wxnobody' })
  await t.throwsAsync(emu.approveLink({ miniprogramAppid: 'wxnobody' }), { message: 'approveLink: no pending link to wxnobody' })
  t.deepEqual(await emu.executionsByOrder(), {})
})

test('cloud.startEmulator and the emulator module return one Emulator, with every control', async (t) => {
  const emu = await cloud.startEmulator({ port: 0 })
  t.teardown(() => emu.close())
  t.true(emu instanceof Emulator)
  for (const method of ['injectFault', 'advanceTime', 'setFaultRates', 'faultStats', 'pushTicket', 'state']) {
    t.is(typeof emu[method], 'function', method)
  }
  t.true((await emu.advanceTime(1)).skewSeconds >= 1)
})

test('the generator writes positional, shortened and object overloads from the declared parameters', (t) => {
  t.deepEqual(
    parseParams('appid: string | undefined, accounts: { a: number; b: string }[]').map((p) => [p.name, p.optional]),
    [['appid', true], ['accounts', false]],
  )
  const actions = [
    { name: 'seed', doc: 'Seeds.', js: { params: 'appid?: string, n: number', returns: '{ count: number }', pick: null } },
    { name: 'names', doc: 'Names.', js: { params: 'appid?: string', returns: 'string[]', pick: 'names' } },
    { name: 'fault', doc: 'A */ fault.', js: { params: 'args: { name: string }', returns: 'any', pick: null } },
    { name: 'stats', doc: 'Stats.', js: { params: '', returns: 'any', pick: null } },
  ]
  const marker = '// @actions: one method per control action, written by scripts/gen.js\n'
  const { js, dts } = renderEmulator(actions, `class E {\n${marker}}\n`, `class E {\n${marker}}\n`)
  t.true(js.includes("  seed(appid, n) {\n    return this.control('seed', argsOf(['appid?', 'n'], arguments))\n  }"))
  t.true(js.includes("  async names(appid) {\n    return (await this.control('names', argsOf(['appid?'], arguments))).names\n  }"))
  t.true(js.includes("  fault(args) {\n    return this.control('fault', args ?? {})\n  }"))
  t.true(js.includes("  stats() {\n    return this.control('stats')\n  }"))
  t.true(js.includes('A *\\/ fault.'), 'a doc cannot end its comment')
  t.true(dts.includes('  seed(appid?: string, n: number): Promise<{ count: number }>'))
  t.true(dts.includes('  seed(n: number): Promise<{ count: number }>'))
  t.true(dts.includes('  seed(args: { appid?: string; n: number }): Promise<{ count: number }>'))
  t.true(dts.includes('  fault(args: { name: string }): Promise<any>'))
  t.throws(() => renderEmulator(actions, 'no marker', marker), { message: /has no line/ })
})

'use strict'
// Issue 4 §6: for every row of the endpoint table, one happy-path call and one documented error through the
// real addon against the emulator, generated from the table and the cases in cases.js. A row without a case
// (or a case without a row) fails here, so a new row cannot arrive untested.

const test = require('ava')
const { cloud, Context, TABLE } = require('./context.js')
const cases = require('./cases.js')

const ROWS = TABLE.map((row) => row.name)

/** wx-server-sdk's answer keys: snake_case → camelCase. */
const camel = (key) => key.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase())

/** The row's own call, or for the platform's calls `openapi.request` with the component token. */
function invoke(ctx, row, via, params) {
  if (via === 'component') return ctx.componentCall(row.name, params)
  // The name at any depth, as a cloud function writes it (`openapi.wxa.sec.order.getOrder`).
  return row.name.split('.').reduce((at, segment) => at[segment], (ctx.caller || ctx.client).openapi)(params)
}

async function start(t, row) {
  const ctx = await Context.start(t)
  ctx.row = row
  return ctx
}

test('every row of the table has a case, and every case a row', (t) => {
  t.is(ROWS.length, new Set(ROWS).size, 'row names are unique')
  t.deepEqual(ROWS.filter((name) => !Object.hasOwn(cases, name)), [], 'rows without a case in __test__/catalogue/cases.js')
  t.deepEqual(Object.keys(cases).filter((name) => !ROWS.includes(name)), [], 'cases that name no row of api/endpoints.json')
})

test('every case is complete, and its error is a code the row documents when it documents any', (t) => {
  for (const row of TABLE) {
    const c = cases[row.name]
    if (!c) continue // reported above
    t.is(typeof c.happy, 'function', `${row.name}: happy(ctx) → params`)
    t.is(typeof c.expect, 'function', `${row.name}: expect(res, ctx)`)
    t.true(c.error !== null && typeof c.error === 'object', `${row.name}: error`)
    t.true(Number.isInteger(c.error?.errCode) && c.error.errCode !== 0, `${row.name}: error.errCode`)
    const documented = Object.keys(row.errors || {}).map(Number)
    if (documented.length > 0) {
      t.true(documented.includes(c.error.errCode), `${row.name}: ${c.error.errCode} is not among the documented ${documented.join(', ')}`)
    }
  }
})

for (const row of TABLE) {
  const c = cases[row.name]

  test(`${row.name}: happy path`, async (t) => {
    if (!c) return t.fail(`no case for ${row.name} in __test__/catalogue/cases.js`)
    const ctx = await start(t, row)
    if (c.setup) await c.setup(ctx)
    const params = await c.happy(ctx)
    const res = await invoke(ctx, row, c.via, params)
    t.is(res.errCode, 0)
    t.is(res.errMsg, `openapi.${c.via === 'component' ? 'request' : row.name}:ok`)
    t.false('errcode' in res || 'errmsg' in res)
    // The answer carries the row's top-level fields, camelCased.
    // A case may name fields that come only in other cases (the row's `when`: an ID card's back has no name).
    const absent = new Set(c.absent || [])
    for (const field of Object.keys(row.response).filter((f) => !/[.[]/.test(f))) {
      if (absent.has(field)) {
        t.truthy(row.response[field].when, `${row.name}: ${field} may be absent only when the row says when it comes`)
        t.false(camel(field) in res, `${row.name}: ${camel(field)} is absent from this case's answer`)
        continue
      }
      t.true(camel(field) in res, `${row.name} answers ${camel(field)}`)
    }
    await c.expect(res, ctx)
  })

  test(`${row.name}: error ${c?.error?.errCode}`, async (t) => {
    if (!c || !c.error) return t.fail(`no error case for ${row.name} in __test__/catalogue/cases.js`)
    const { error } = c
    const via = error.via ?? c.via
    const ctx = await start(t, row)
    if (error.setup) await error.setup(ctx)
    const params = typeof error.params === 'function' ? await error.params(ctx) : error.params
    const err = await t.throwsAsync(invoke(ctx, row, via, params))
    t.true(err instanceof cloud.OpenApiError, String(err))
    t.is(err.errCode, error.errCode, err.message)
    const api = via === 'component' ? 'request' : row.name
    t.is(err.api, api)
    t.true(err.errMsg.startsWith(`openapi.${api}:fail `), err.errMsg)
    t.regex(err.rid, /^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/, 'WeChat (the emulator) answered it, with a request id')
    t.is(err.httpStatus, 200)
    t.is(err.message, `errCode: ${err.errCode}${err.meaning ? ' ' + err.meaning : ''} | errMsg: ${err.errMsg}`)
    const documented = row.errors?.[String(error.errCode)]
    if (documented && via !== 'component') t.is(err.meaning, documented, "the meaning is the row's documented one")
    if (error.check) await error.check(err, ctx)
  })
}

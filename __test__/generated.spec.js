'use strict'
// index.d.ts and the README follow from api/endpoints.json, emulator.js and emulator.d.ts from the emulator's
// control actions; this fails when any of them no longer matches its source.

const test = require('ava')
const fs = require('fs')
const path = require('path')
const { runNode } = require('./helpers/run-node.js')

const ROOT = path.join(__dirname, '..')
const rows = require('../api/endpoints.json')
const dts = fs.readFileSync(path.join(ROOT, 'index.d.ts'), 'utf8')
const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8')

// wx-server-sdk's answer conversion (REFERENCE §1), written apart from the generator's: `_` + a-z folds, nothing else.
function toCamel(key) {
  let out = ''
  for (let i = 0; i < key.length; i++) {
    const next = key[i + 1]
    if (key[i] === '_' && next >= 'a' && next <= 'z') {
      out += next.toUpperCase()
      i++
    } else {
      out += key[i]
    }
  }
  return out
}

// Its request conversion: every capital becomes `_` + lower case (a capital at index 0 is only lowered).
function toSnake(key) {
  return [...key].map((c, i) => (c >= 'A' && c <= 'Z' ? (i ? '_' : '') + c.toLowerCase() : c)).join('')
}

const pascal = (s) => s[0].toUpperCase() + s.slice(1)
const typeName = (row, side) => row.name.split('.').map(pascal).join('') + side
// A request with fields required only in some cases (`requestCases`) is a union over `<Name>Fields`, which holds every field.
const fieldsName = (row, side) => typeName(row, side) + (side === 'Request' && row.requestCases ? 'Fields' : '')

/** The body of `export interface <name> { … }`, nested members included. */
function interfaceBody(name) {
  const start = dts.indexOf(`export interface ${name} {\n`)
  if (start < 0) return null
  return dts.slice(start, dts.indexOf('\n}\n', start))
}

/** Every key of one side of a row, at any depth, as the table writes it (placeholder rows are words, not keys). */
function tableKeys(fields) {
  return Object.keys(fields)
    .map((p) => p.split('.').pop().replace(/\[\]$/, ''))
    .filter((k) => !k.startsWith('<'))
}

test('node scripts/gen.js --check finds nothing stale', async (t) => {
  const result = await runNode(path.join(ROOT, 'scripts/gen.js'), ['--check'])
  t.is(result.code, 0, result.stderr)
})

test('index.d.ts has both interfaces and the method of every endpoint', (t) => {
  for (const row of rows) {
    const method = row.name.split('.').pop()
    t.truthy(interfaceBody(fieldsName(row, 'Request')), `${row.name} request`)
    if (row.requestCases) t.true(dts.includes(`export type ${typeName(row, 'Request')} = ${fieldsName(row, 'Request')} & (`), `${row.name} request cases`)
    t.truthy(interfaceBody(typeName(row, 'Response')), `${row.name} response`)
    t.true(dts.includes(`\`${row.http} ${row.path}\``), `${row.name} path`)
    t.regex(dts, new RegExp(`\\n  ${method}\\(params\\??: ${typeName(row, 'Request')}\\)`), row.name)
  }
})

test('the field names in index.d.ts are wx-server-sdk camelCase of the table keys, and convert back to them', (t) => {
  for (const row of rows) {
    for (const side of ['Request', 'Response']) {
      const keys = tableKeys(row[side.toLowerCase()])
      // A reconciled row's answer may say so (api/endpoints.json `reconcile`).
      if (side === 'Response' && row.reconcile) keys.push('reconciled')
      const declared = [...interfaceBody(fieldsName(row, side)).matchAll(/^\s+(\w+)\??: /gm)].map((m) => m[1])
      t.deepEqual(declared.sort(), keys.map(toCamel).sort(), `${row.name} ${side}`)
      if (side === 'Request') t.deepEqual(declared.map(toSnake).sort(), [...keys].sort(), `${row.name} round trip`)
    }
  }
})

test('the README lists every endpoint with its name, HTTP path and cloud call', (t) => {
  const namespaces = new Set(rows.map((r) => r.name.split('.')[0]))
  t.true(readme.includes(`${rows.length} endpoints in ${namespaces.size} namespaces`))
  for (const row of rows) {
    const line = readme.split('\n').find((l) => l.startsWith(`| \`${row.name}\` |`))
    t.truthy(line, row.name)
    t.true(line.includes(`\`${row.http} ${row.path}\``), `${row.name} path`)
    t.true(line.includes(`\`cloud.openapi.${row.name}\``), `${row.name} cloud call`)
  }
})

test('emulator.js and emulator.d.ts have a method for every control action, and index.d.ts the same Emulator', (t) => {
  const actions = JSON.parse(require('../lib/binding.js').emulatorActions())
  const { Emulator } = require('../emulator.js')
  const emulatorDts = fs.readFileSync(path.join(ROOT, 'emulator.d.ts'), 'utf8')
  t.true(actions.length >= 28)
  for (const action of actions) {
    t.is(typeof Emulator.prototype[action.name], 'function', action.name)
    t.true(emulatorDts.includes(`\n  ${action.name}(`), `${action.name} in emulator.d.ts`)
    t.true(emulatorDts.includes(action.doc.slice(0, 40)), `${action.name}'s doc in emulator.d.ts`)
  }
  t.regex(dts, /export type \{ Emulator, EmulatorOptions[^}]*\} from '\.\/emulator'/)
  t.false(dts.includes('export interface Emulator '), 'no second, cut-down Emulator')
})

test('answer fields hold whether WeChat always sends them; research notes stay in the table, out of hovers', (t) => {
  for (const row of rows) {
    for (const [key, field] of Object.entries(row.response)) {
      if (field.required === false) t.truthy(field.when, `${row.name} ${key}: an optional answer field says when it comes`)
    }
    for (const note of [row.evidence, row.responseEvidence, ...Object.values(row.request).map((f) => f.evidence)]) {
      if (note) t.false(dts.includes(note), `${row.name}: "${note}" is in index.d.ts`)
    }
  }
  const declared = interfaceBody('LogisticsGetAllAccountResponse')
  t.regex(declared, /\n {2}count: number/)
  t.regex(declared, /remarkWrongMsg\?: string/)
  t.false(declared.includes('[key: string]'))
})

test('names deeper than namespace.method are typed as nested namespaces, and a name can be both a method and a namespace', (t) => {
  const { renderEndpointTypes } = require('../scripts/gen/dts.js')
  const like = (name) => ({ ...rows.find((r) => r.name === 'logistics.getAllAccount'), name })
  const nested = [like('wxa.sec.order.uploadShippingInfo'), like('wxa.sec.order.getOrder'), like('wxa.sec.order'), like('wxa.getPaidUnionid')]
  const { text, interfaces } = renderEndpointTypes(new Map([['wxa', nested]]))
  t.regex(text, /export interface WxaApi \{[^}]*\n  sec: WxaSecApi\n/)
  t.regex(text, /export interface WxaSecApi \{\n  order: WxaSecOrderApi\n\}/)
  t.regex(text, /export interface WxaSecOrderApi \{[\s\S]*?\n  \(params\?: WxaSecOrderRequest\): Promise<WxaSecOrderResponse & Result>/)
  t.regex(text, /\n  uploadShippingInfo\(params\?: WxaSecOrderUploadShippingInfoRequest\): Promise<WxaSecOrderUploadShippingInfoResponse & Result>/)
  t.regex(text, /export interface OpenApiNamespaces \{\n  wxa: WxaApi\n\}/)
  t.is(interfaces, nested.length * 2 + 4, 'a request and a response per row, three namespaces and OpenApiNamespaces')
})

'use strict'
// Hardening class 1: a property lookup never starts a call. Turning an openapi namespace (or the root, or an
// openapi(options) surface) into a string or number, inspecting it, or calling an Object.prototype name on it
// used to call `toString`/`valueOf` as API names, whose rejections nobody held: Node died. Each coercion runs
// in its own child process, which must survive with no unhandled rejection.

const test = require('ava')
const path = require('node:path')
const { runNode } = require('../helpers/run-node.js')
const { COERCIONS, PROTOTYPE_NAMES } = require('./coercions.js')
const cloud = require('../..')

const CHILD = path.join(__dirname, 'child.js')

for (const name of Object.keys(COERCIONS)) {
  test(`coercion ${name} on the openapi proxies starts no call and the process survives`, async (t) => {
    const { code, stdout, stderr } = await runNode(CHILD, ['coerce', name])
    t.is(code, 0, `${stdout}\n${stderr}`)
    t.notRegex(stderr, /unhandled|OpenApiError|-604100/i)
    const line = stdout.split('\n').find((l) => l.startsWith('RESULT '))
    t.truthy(line, stdout)
    const { result } = JSON.parse(line.slice('RESULT '.length))
    t.deepEqual(Object.keys(result), ['namespace', 'root', 'unknownNamespace', 'withOptions', 'withOptionsNamespace', 'clientNamespace'])
    for (const value of Object.values(result)) t.notRegex(value, /Promise/, 'no coercion yields a call')
  })
}

test('namespaces and the root print as what they are', (t) => {
  const ns = cloud.openapi.logistics
  t.is(ns.toString(), 'openapi.logistics')
  t.is(String(ns), 'openapi.logistics')
  t.is(`${cloud.openapi.officialAccount}`, 'openapi.officialAccount')
  t.is(ns.toLocaleString(), 'openapi.logistics')
  t.is(String(cloud.openapi), 'openapi')
  t.is(String(cloud.openapi({ timeout: 1000 })), 'openapi')
  t.is(String(cloud.openapi({ timeout: 1000 }).auth), 'openapi.auth')
  t.true(Number.isNaN(Number(ns)))
  t.false(ns == 'logistics') // eslint-disable-line eqeqeq
  t.true(ns == 'openapi.logistics') // eslint-disable-line eqeqeq
})

test('namespaces still work as before around the reserved names', async (t) => {
  const ns = cloud.openapi.logistics
  t.is(typeof ns.getAllAccount, 'function')
  t.is(ns.getAllAccount.name, 'getAllAccount')
  t.true(Object.keys(ns).includes('getAllAccount'))
  t.true(Object.prototype.hasOwnProperty.call(ns, 'getAllAccount'))
  t.true(ns.hasOwnProperty('getAllAccount')) // eslint-disable-line no-prototype-builtins
  t.false(Object.prototype.hasOwnProperty.call(ns, 'toString'))
  t.is(ns.then, undefined)
  t.is(await ns, ns)
  t.true(Object.keys(cloud.openapi).includes('logistics'))
  t.is(typeof cloud.openapi.request, 'function')
  t.is(typeof cloud.openapi.call, 'function', 'the root is a function: Function.prototype names stay what they are')
  t.is(cloud.openapi.call(), cloud.openapi)
  t.is(ns.call, undefined, 'a namespace is callable only so that a name can be both; call/apply would start a call')
  t.is(typeof ns.getAllAccount.call, 'function', "an API's own node keeps call and apply")
})

test('no endpoint in the table is named like a reserved name', (t) => {
  const names = cloud.catalogue.names()
  const clash = names.filter((n) => n.split('.').some((part) => PROTOTYPE_NAMES.includes(part)))
  t.deepEqual(clash, [])
})

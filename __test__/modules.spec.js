'use strict'
// require and import (default and named) give the same module; TypeScript resolves types for both.

const test = require('ava')
const path = require('node:path')
const { runNode } = require('./helpers/run-node.js')

const ROOT = path.join(__dirname, '..')

test('import: default is the CommonJS module; every CommonJS export is also a named export', async (t) => {
  const script = path.join(ROOT, 'examples', 'esm', 'check-exports.mjs')
  const { code, stdout, stderr } = await runNode(script, [])
  t.is(code, 0, stderr)
  t.deepEqual(JSON.parse(stdout), { sameObject: true, missingNamed: [], extraNamed: [] })
})

test('the ESM example runs', async (t) => {
  const { code, stdout, stderr } = await runNode(path.join(ROOT, 'examples', 'esm', 'index.mjs'), [])
  t.is(code, 0, stderr)
  t.deepEqual(JSON.parse(stdout), { sameModule: true, accounts: ['demo_sf_monthly', 'demo_zto_shop'], typedError: 9300525 })
})

test('the TypeScript example type-checks with module nodenext (ESM and CommonJS files)', async (t) => {
  t.timeout(300e3) // tsc over the generated index.d.ts is slow on a loaded machine
  const { code, stdout } = await runNode(require.resolve('typescript/bin/tsc'), ['-p', path.join(ROOT, 'examples', 'typescript')])
  t.is(stdout, '')
  t.is(code, 0)
})

test('require by package name resolves through "exports" to the same module', (t) => {
  t.is(require('wechat-openapi'), require('..'))
  t.is(require('wechat-openapi/emulator').startEmulator, require('../emulator.js').startEmulator)
})

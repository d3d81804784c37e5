'use strict'
// index.d.ts is the contract TypeScript users compile against: a correct use type-checks, a wrong field type does not.

const test = require('ava')
const fs = require('fs')
const path = require('path')
const { runNode } = require('./helpers/run-node.js')

const TSC = require.resolve('typescript/bin/tsc')
const DIR = path.join(__dirname, 'types')

const tsc = (project) => runNode(TSC, ['-p', path.join(DIR, project)])

test('a file using several endpoints type-checks', async (t) => {
  const { code, stdout } = await tsc('tsconfig.json')
  t.is(stdout, '')
  t.is(code, 0)
})

test('a wrong field type fails to compile, on that field', async (t) => {
  const source = fs.readFileSync(path.join(DIR, 'wrong-field-type.ts'), 'utf8').split('\n')
  const line = source.findIndex((l) => l.includes('orderId: 1'))
  const column = source[line].indexOf('orderId') + 1
  const { code, stdout } = await tsc('tsconfig.wrong.json')
  t.not(code, 0)
  t.is(stdout.trim(), `__test__/types/wrong-field-type.ts(${line + 1},${column}): error TS2322: Type 'number' is not assignable to type 'string'.`)
})

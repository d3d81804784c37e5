'use strict'
// index.d.ts is the contract TypeScript users compile against: a correct use type-checks (strict mode, results
// read without `!`), a wrong field type, a method that does not exist or a misread answer field does not.

const test = require('ava')
const fs = require('fs')
const path = require('path')
const { runNode } = require('./helpers/run-node.js')

const TSC = require.resolve('typescript/bin/tsc')
const DIR = path.join(__dirname, 'types')

const tsc = (project) => runNode(TSC, ['-p', path.join(DIR, project)])

test('files using endpoints, the platform side and strict reads of results type-check', async (t) => {
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

test('misuses fail to compile, each on its marked line: platform methods on the wrong object, a misread field, a missing case-required field', async (t) => {
  const source = fs.readFileSync(path.join(DIR, 'wrong-uses.ts'), 'utf8').split('\n')
  const expected = source.flatMap((l, i) => {
    const m = /\/\/ error (TS\d+)$/.exec(l)
    return m ? [`${i + 1} ${m[1]}`] : []
  })
  t.true(expected.length >= 5)
  const { code, stdout } = await tsc('tsconfig.wrong-uses.json')
  t.not(code, 0)
  const got = [...stdout.matchAll(/^__test__\/types\/wrong-uses\.ts\((\d+),\d+\): error (TS\d+)/gm)].map((m) => `${m[1]} ${m[2]}`)
  t.deepEqual(got, expected)
})

'use strict'
// The declarations match the runtime, both ways: every method and property that index.d.ts / emulator.d.ts
// declare on the public objects (the module, a client, `openapi` and each of its namespaces, `cloud.component`,
// the emulator) exists at runtime, and every method the runtime has is declared. The declarations are read with
// the TypeScript compiler API, so a merged or misplaced interface (`cloud.component.getAuthorizerList`) fails here.

const test = require('ava')
const path = require('path')
const ts = require('typescript')
const cloud = require('..')
const emulatorModule = require('../emulator.js')

const ROOT = path.join(__dirname, '..')
const program = ts.createProgram([path.join(ROOT, 'index.d.ts'), path.join(ROOT, 'emulator.d.ts')], {
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  types: ['node'],
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.Node16,
  moduleResolution: ts.ModuleResolutionKind.Node16,
})
const checker = program.getTypeChecker()

function moduleExports(file) {
  const source = program.getSourceFile(path.join(ROOT, file))
  return checker.getExportsOfModule(checker.getSymbolAtLocation(source))
}

function exported(file, name) {
  const symbol = moduleExports(file).find((s) => s.name === name)
  if (!symbol) throw new Error(`${file} exports no ${name}`)
  return symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol
}

/** The property names of a declared interface or class instance type. */
function declared(file, name) {
  return checker.getDeclaredTypeOfSymbol(exported(file, name)).getProperties().map((p) => p.name).sort()
}

/** What a runtime object offers: own enumerable keys and the methods of its classes. */
function runtime(object) {
  const names = new Set(Object.keys(object))
  for (let proto = Object.getPrototypeOf(object); proto && proto !== Object.prototype && proto !== Function.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) if (name !== 'constructor') names.add(name)
  }
  return [...names].sort()
}

test('the module: every declared value export exists, and every runtime export is declared', (t) => {
  const values = moduleExports('index.d.ts')
    .filter((s) => {
      // `export type { Emulator } from './emulator'` names a class but exports only its type.
      const typeOnly = (s.declarations || []).some((d) => ts.isExportSpecifier(d) && (d.isTypeOnly || d.parent.parent.isTypeOnly))
      const target = s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s
      return !typeOnly && target.flags & ts.SymbolFlags.Value
    })
    .map((s) => s.name)
    .sort()
  t.deepEqual(Object.keys(cloud).sort(), values)
})

test('a client: declared members exist and runtime members are declared', (t) => {
  const client = cloud.createClient({ appid: 'wxsurface', secret: 's', apiBase: 'http://127.0.0.1:9' })
  t.deepEqual(runtime(client), declared('index.d.ts', 'Client'))
})

test('openapi: every declared namespace and method exists, and every runtime one is declared', (t) => {
  const namespaces = declared('index.d.ts', 'OpenApiNamespaces')
  const openapiMembers = declared('index.d.ts', 'OpenApi')
  t.deepEqual(Object.keys(cloud.openapi).filter((k) => k !== 'prototype').sort(), openapiMembers)
  for (const ns of namespaces) {
    const type = checker.getTypeOfSymbol(checker.getDeclaredTypeOfSymbol(exported('index.d.ts', 'OpenApiNamespaces')).getProperty(ns))
    t.deepEqual(Object.keys(cloud.openapi[ns]).sort(), type.getProperties().map((p) => p.name).sort(), `openapi.${ns}`)
  }
})

test('cloud.component and client.component: declared members exist and runtime members are declared', (t) => {
  const want = declared('index.d.ts', 'ComponentPlatform')
  t.deepEqual(runtime(cloud.component), want)
  const client = cloud.createClient({ appid: 'wxsurface', secret: 's', apiBase: 'http://127.0.0.1:9' })
  t.deepEqual(runtime(client.component), want)
  // The table's component.* endpoints live under openapi.component, not here.
  t.false(want.includes('getAuthorizerList'))
  t.false(declared('index.d.ts', 'ComponentApi').includes('on'))
})

test('the emulator: declared members exist and runtime members are declared; both entry points declare the same', async (t) => {
  t.deepEqual(Object.keys(emulatorModule).sort(), moduleExports('emulator.d.ts').filter((s) => s.flags & ts.SymbolFlags.Value).map((s) => s.name).sort())
  const emu = await emulatorModule.startEmulator({ port: 0 })
  try {
    t.deepEqual(runtime(emu), declared('emulator.d.ts', 'Emulator'))
  } finally {
    await emu.close()
  }
})

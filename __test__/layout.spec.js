'use strict'
// The rooms of the house, checked: the crates' dependency rules (Cargo refuses circles between crates, but not
// an emulator that starts depending on the client) and no module, Rust or JS, importing one that imports it back.

const test = require('ava')
const { execFileSync } = require('node:child_process')
const path = require('node:path')
const { findCircles } = require('../scripts/layout.js')

const root = path.join(__dirname, '..')

function workspace() {
  const text = execFileSync('cargo', ['metadata', '--format-version', '1', '--locked'], { cwd: root, maxBuffer: 64 << 20 })
  const meta = JSON.parse(text)
  const members = new Set(meta.workspace_members)
  const byId = new Map(meta.packages.map((p) => [p.id, p]))
  const nodes = new Map(meta.resolve.nodes.map((n) => [n.id, n]))
  // Normal (non-dev) dependencies, transitively, by package name.
  const closure = (id) => {
    const seen = new Set()
    const walk = (at) => {
      for (const dep of nodes.get(at).deps) {
        if (!dep.dep_kinds.some((k) => k.kind === null)) continue
        const name = byId.get(dep.pkg).name
        if (seen.has(name)) continue
        seen.add(name)
        walk(dep.pkg)
      }
    }
    walk(id)
    return seen
  }
  const crates = {}
  for (const id of members) {
    const pkg = byId.get(id)
    crates[pkg.name] = { deps: closure(id), kinds: pkg.targets.flatMap((t) => t.crate_types) }
  }
  return crates
}

test('the workspace: protocol, client, emulator and the binding, with the rules between them', (t) => {
  const crates = workspace()
  t.deepEqual(Object.keys(crates).sort(), ['wechat-client', 'wechat-emulator', 'wechat-openapi', 'wechat-protocol'])
  t.false(crates['wechat-emulator'].deps.has('wechat-client'), 'the emulator depends on the protocol crate only')
  t.true(crates['wechat-emulator'].deps.has('wechat-protocol'))
  t.false(crates['wechat-protocol'].deps.has('wechat-client'))
  const napiUsers = Object.keys(crates).filter((name) => crates[name].deps.has('napi'))
  t.deepEqual(napiUsers, ['wechat-openapi'], 'only the binding touches napi')
  const cdylibs = Object.keys(crates).filter((name) => crates[name].kinds.includes('cdylib'))
  t.deepEqual(cdylibs, ['wechat-openapi'], 'only the binding is a cdylib')
  for (const name of ['wechat-protocol', 'wechat-client']) {
    t.false(crates[name].deps.has('axum'), `${name} serves nothing`)
  }
})

test('no module imports one that imports it back, in Rust or JS', (t) => {
  const found = findCircles().map((c) => `${c.where}: ${c.members.join(' <-> ')}`)
  t.deepEqual(found, [])
})

'use strict'
// The rooms of the house, checked: the crates' dependency rules (Cargo refuses circles between crates, but not
// an emulator that starts depending on the client) and no module, Rust or JS, importing one that imports it back.

const test = require('ava')
const { execFileSync } = require('node:child_process')
const path = require('node:path')
const { findCircles, findDoorViolations, pushIntakeBreaches, crossingBreaches, facadeBreaches } = require('../scripts/layout.js')

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

test('one door for each thing: one push intake, one crossing, no arrow up from lib/, a CLI on the public API', (t) => {
  t.deepEqual(findDoorViolations(), [])
})

test('the door rules catch what they name', (t) => {
  const opened = pushIntakeBreaches('crates/client/src/component/push.rs', 'let inner = self.crypt.decrypt_push(query, body)?; let e = PushEvent::parse(&inner);')
  t.is(opened.length, 2)
  t.deepEqual(pushIntakeBreaches('crates/client/src/push/receiver.rs', 'push_message::open(self.keys(), query, body)'), [])
  t.is(pushIntakeBreaches('crates/client/src/other.rs', 'use wechat_protocol::crypto::push_message::{self, open};').length, 1)
  const binding = [
    '#[napi]\npub async fn flow(&self) -> NativeOutcome { x }',
    '#[napi(ts_return_type = "Promise<NativeOutcome | string>")]\npub fn sneaky<\'e>(&self, env: &\'e Env) -> napi::Result<Unknown<\'e>> { delivery_elsewhere(env) }',
    '#[napi]\npub fn task(&self) -> AsyncTask<Work> { AsyncTask::new(Work) }',
    '#[napi(ts_return_type = "Promise<NativeOutcome | string>")]\npub fn fine<\'e>(&self, env: &\'e Env) -> napi::Result<Unknown<\'e>> { self.start(env, "k", a, o, id, w) }',
  ].join('\n')
  t.deepEqual(crossingBreaches('src/new.rs', binding).map((b) => b.split(': ')[1].split(' ')[0]), ['flow', 'sneaky', 'task'])
  t.deepEqual(crossingBreaches('src/emulator.rs', '#[napi]\npub async fn close(&self) -> Result<()> { Ok(()) }'), [], 'the emulator runs on its own runtime')
  t.is(facadeBreaches('lib/a.js', "require('../binding.js'); require('./errors.js'); require('../package.json')").length, 1)
  t.is(facadeBreaches('bin/cli/a.js', "require('../../lib/upload.js'); require('../../index.js'); require('./args.js'); require('../../api/endpoints.json')").length, 2)
})
